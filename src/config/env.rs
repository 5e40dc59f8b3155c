//! [`EnvSettings`]: the settings as envy reads them from `STORECONNECT_*` or `INPUT_*` variables
//! into a serde struct. Names, defaults and help stay in [`super::settings::SETTINGS`]; a test
//! keeps the struct's fields and the table naming the same settings.

use serde::Deserialize;

use crate::error::Error;
use crate::secret::Secret;

/// Declares [`EnvSettings`] with one optional field per setting (snake_case of its name) and
/// [`EnvSettings::into_entries`], which hands the fields back by name.
macro_rules! env_settings {
    ($($field:ident),* $(,)?) => {
        /// Every setting that a variable can set, plus the action's `mode`; unset ones are `None`.
        /// Values are [`Secret`]s from the start: some are credentials.
        #[derive(Default, Deserialize)]
        pub(crate) struct EnvSettings {
            $($field: Option<Secret>,)*
            /// The action's `mode` input (not a setting).
            pub(crate) mode: Option<String>,
        }

        impl EnvSettings {
            /// `(field name, value)` of every setting field, in declaration order.
            pub(crate) fn into_entries(self) -> Vec<(&'static str, Option<Secret>)> {
                vec![$((stringify!($field), self.$field)),*]
            }
        }
    };
}

env_settings!(
    instance_url,
    access_token,
    auth_url,
    target_org,
    client_id,
    client_secret,
    username,
    jwt_key,
    jwt_key_file,
    login_url,
    api_version,
    setting_type,
    setting_record,
    setting_field,
    timeout,
    dry_run,
    max_disabled_minutes,
    heal,
);

impl EnvSettings {
    /// Reads `(field name, value)` pairs, names already reduced to the struct's field names
    /// (`access_token`) and values already checked to be UTF-8 text.
    pub(crate) fn read(prefix: &str, pairs: Vec<(String, String)>) -> Result<Self, Error> {
        // Every field is optional text, so envy can only fail on a name the caller let through;
        // its message names the field, never a value.
        envy::from_iter(pairs).map_err(|e| {
            Error::usage(format!(
                "cannot read settings from {prefix}* variables: {e}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::settings::{self, SETTINGS};

    #[test]
    fn the_struct_and_the_table_name_the_same_settings() {
        let fields: Vec<&str> = EnvSettings::default()
            .into_entries()
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        let table: Vec<String> = SETTINGS.iter().map(|s| s.name.replace('-', "_")).collect();
        assert_eq!(fields, table, "fields of EnvSettings, in the table's order");
        for field in fields {
            assert!(settings::by_variable(field).is_some(), "{field}");
        }
    }

    #[test]
    fn envy_fills_every_field_by_name() {
        let pairs: Vec<(String, String)> = SETTINGS
            .iter()
            .map(|s| (s.name.replace('-', "_"), format!("value of {}", s.name)))
            .chain([("mode".to_string(), "check".to_string())])
            .collect();
        let read = EnvSettings::read("STORECONNECT_", pairs).unwrap();
        assert_eq!(read.mode.as_deref(), Some("check"));
        for ((field, value), setting) in read.into_entries().into_iter().zip(&SETTINGS) {
            assert_eq!(
                value.as_ref().map(Secret::expose),
                Some(format!("value of {}", setting.name).as_str()),
                "{field}"
            );
        }
    }
}
