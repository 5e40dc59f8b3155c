//! Values users supply (auth URLs, PEM keys, environment and flag values) and values written
//! to file commands: parsers never panic, errors never quote secrets, nothing injects a command.

use std::ffi::OsString;

use storeconnect_triggers::testing::cli;
use storeconnect_triggers::testing::config::{Config, RawSettings};
use storeconnect_triggers::testing::github::{escape_data, escape_property, file_command_entry};
use storeconnect_triggers::testing::salesforce::auth::{Credentials, JwtKey};

use super::*;
use crate::action::parse_file_command;

#[test]
fn auth_urls_parse_their_parts_and_errors_never_quote_them() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    let token_chars: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    for _ in 0..ROUNDS {
        let token: String = (0..20 + rng.below(40))
            .map(|_| token_chars[rng.below(token_chars.len() as u64) as usize])
            .collect();
        let token = format!("5Aep{token}{}", rng.pick(&["", "=", "=="]));
        let url = format!("force://PlatformCLI::{token}@acme.my.salesforce.com");
        match Credentials::from_auth_url(&url) {
            Ok(Credentials::RefreshToken { refresh_token, .. }) => {
                assert_eq!(refresh_token.expose(), token)
            }
            other => panic!("{url}: {other:?}"),
        }
        let broken = mutate(&mut rng, &url);
        if let Err(message) = Credentials::from_auth_url(&broken) {
            assert!(!message.contains(&token[..12]), "{message}");
        }
        let _ = Credentials::from_auth_url(&text(&mut rng, 80));
    }
}

#[test]
fn broken_pem_keys_never_panic_and_errors_never_quote_the_key() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    let body_lines: Vec<&str> = simorg::JWT_KEY_PEM
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .collect();
    for _ in 0..ROUNDS / 5 {
        let pem = rng.pick(&[simorg::JWT_KEY_PEM, simorg::JWT_KEY_PKCS1_PEM]);
        let broken = mutate(&mut rng, pem);
        let one_line = broken.replace('\n', "\\n");
        for candidate in [broken.as_str(), one_line.as_str()] {
            if let Err(message) = JwtKey::from_pem("jwt-key", candidate) {
                for line in &body_lines {
                    assert!(!message.contains(&line[..16]), "{message}");
                }
            }
        }
    }
    assert!(JwtKey::from_pem("jwt-key", simorg::JWT_KEY_PEM).is_ok());
}

#[test]
fn environment_and_flag_values_never_panic_and_never_leak_secrets() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    let names = [
        "INSTANCE_URL",
        "ACCESS_TOKEN",
        "AUTH_URL",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "USERNAME",
        "JWT_KEY",
        "LOGIN_URL",
        "API_VERSION",
        "SETTING_TYPE",
        "SETTING_RECORD",
        "SETTING_FIELD",
        "TIMEOUT",
        "DRY_RUN",
        "MODE",
    ];
    let secret_names = ["ACCESS_TOKEN", "AUTH_URL", "CLIENT_SECRET", "JWT_KEY"];
    for _ in 0..ROUNDS {
        let mut pairs = Vec::new();
        let mut secrets = Vec::new();
        for _ in 0..rng.below(6) {
            let name = rng.pick(&names);
            let value = if secret_names.contains(&name) {
                let secret = format!("SeCrEt{}", rng.next());
                secrets.push(secret.clone());
                format!("{}{secret}{}", text(&mut rng, 5), text(&mut rng, 5))
            } else {
                text(&mut rng, 30)
            };
            pairs.push((format!("STORECONNECT_{name}"), value));
        }
        let check = |message: String| {
            for secret in &secrets {
                assert!(!message.contains(secret.as_str()), "{message}");
            }
        };
        match RawSettings::from_pairs("STORECONNECT_", pairs.clone()) {
            Err(e) => check(e.to_string()),
            Ok(raw) => match Config::from_raw(raw) {
                Err(e) => check(format!("{e} {:?}", e.hint())),
                Ok(config) => check(format!("{config:?}")),
            },
        }
        // The same values as flags.
        let mut args: Vec<OsString> = vec![OsString::from(rng.pick(&["status", "enable", "run"]))];
        for (name, value) in &pairs {
            let flag = name["STORECONNECT_".len()..]
                .to_ascii_lowercase()
                .replace('_', "-");
            args.push(format!("--{flag}").into());
            args.push(value.into());
        }
        if rng.chance(20) {
            args.push(text(&mut rng, 10).into());
        }
        match cli::parse(args) {
            Err(e) => check(e.to_string()),
            Ok(parsed) => {
                let mut raw = RawSettings::default();
                for (name, value) in parsed.overrides {
                    if let Err(e) = raw.set(&name, value) {
                        check(e.to_string());
                    }
                }
                if let Err(e) = Config::from_raw(raw) {
                    check(e.to_string());
                }
            }
        }
    }
}

#[test]
fn no_value_can_inject_a_file_command_key_or_a_workflow_command() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    for _ in 0..ROUNDS {
        let mut value = text(&mut rng, 40);
        if rng.chance(30) {
            value.push_str(&format!(
                "\ninjected=1\nother<<EOF\nx\nEOF\n{}",
                text(&mut rng, 5)
            ));
        }
        let entry = file_command_entry("state", &value);
        let parsed = parse_file_command(&entry);
        assert_eq!(
            parsed.keys().collect::<Vec<_>>(),
            vec!["state"],
            "{entry:?}"
        );
        let expected = value.replace("\r\n", "\n").replace('\r', "\n");
        assert_eq!(parsed["state"], expected, "{entry:?}");

        // A workflow command carrying the value stays one line: nothing after it is a command.
        let title = text(&mut rng, 20);
        let command = format!(
            "::warning title={}::{}",
            escape_property(&title),
            escape_data(&value)
        );
        assert_eq!(command.lines().count(), 1, "{command:?}");
        assert!(!escape_property(&title).contains([':', ',', '\r', '\n']));
    }
}
