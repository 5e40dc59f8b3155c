//! Changing the setting through the Metadata API: readMetadata of the whole record, then
//! updateMetadata with only the owned field changed, then the read-back.

use std::time::SystemTime;

use super::locate::locate;
use super::verify::verify;
use super::{Applied, FieldKind, Located, Pins, Prepared, State};
use crate::backoff::Backoff;
use crate::error::Error;
use crate::salesforce::Deadline;
use crate::salesforce::Salesforce;
use crate::salesforce::SfError;
use crate::salesforce::client::WriteStage;
use crate::salesforce::http::Event;
use crate::salesforce::metadata::{self, CustomMetadata, MdValue};
use crate::salesforce::rest;

/// Finds the setting and reads the whole record with readMetadata (which holds the current value).
pub(crate) async fn prepare(
    sf: &mut Salesforce,
    deadline: &Deadline,
    pins: &Pins,
) -> Result<Prepared, Error> {
    let (mut located, _) = locate(sf, deadline, pins).await?;
    let full_name = located.full_name();
    let record = metadata::read(sf, deadline, &full_name).await?.ok_or_else(|| Error::NotFound {
        message: format!("readMetadata found no CustomMetadata named {full_name}"),
        hint: "check setting-type and setting-record (a packaged record's name carries the namespace: s_c__Setting.s_c__Triggers_Enabled); the record may also be protected, or the user may lack Customize Application".into(),
    })?;
    // Every field name goes back into the write and the read-back query: API names only.
    for (field, _) in &record.values {
        super::locate::org_name(&field.as_str().into(), "a field of the record", "__c")?;
    }
    // Pins may differ in letter case from the org's spelling: adopt the org's.
    if let Some((field, _)) = record
        .values
        .iter()
        .find(|(f, _)| f.eq_ignore_ascii_case(&located.field))
    {
        located.field = field.clone();
    }
    let state = State::from_metadata(record.value(&located.field));
    Ok(Prepared {
        located,
        record,
        state,
    })
}

/// Sets the value to `wanted` unless it already is, then reads back through SOQL until it shows
/// `wanted`. Only the owned field changes; everything else is sent back as read.
pub(crate) async fn apply(
    sf: &mut Salesforce,
    deadline: &Deadline,
    prepared: &Prepared,
    wanted: bool,
) -> Result<Applied, Error> {
    if prepared.state == State::Valid(wanted) {
        return Ok(Applied {
            changed: false,
            after: prepared.state.clone(),
        });
    }
    rewrite(sf, deadline, prepared, wanted).await
}

/// Writes `wanted` even if the record already holds it, then reads back until it shows: for
/// when a value read cannot be trusted (an earlier write may still land).
pub(crate) async fn rewrite(
    sf: &mut Salesforce,
    deadline: &Deadline,
    prepared: &Prepared,
    wanted: bool,
) -> Result<Applied, Error> {
    let field = &prepared.located.field;
    let xsi_type = owned_xsi_type(sf, deadline, prepared).await?;
    let new_value = MdValue::Typed {
        xsi_type: Some(xsi_type.into()),
        text: wanted.to_string(),
    };
    let updated = prepared.record.with_value(field, new_value);
    send(sf, deadline, prepared, &updated, wanted).await?;
    // The read-back also proves that nothing else moved: it selects the other fields (and the
    // label) and compares them with what was sent, in the same query.
    let mut located = prepared.located.clone();
    located.others = updated
        .values
        .iter()
        .filter(|(f, _)| !f.eq_ignore_ascii_case(field))
        .cloned()
        .collect();
    if let Some(label) = &updated.label {
        located.others.push((
            "MasterLabel".into(),
            MdValue::Typed {
                xsi_type: Some("string".into()),
                text: label.clone(),
            },
        ));
    }
    let after = verify(sf, deadline, &located, wanted).await?;
    Ok(Applied {
        changed: true,
        after,
    })
}

/// Sends `updated` (the record with `wanted`) until it is answered or seen applied. Each
/// attempt is recorded before it leaves ([`WriteStage`]): if this process dies or the answer
/// never comes, Salesforce may still apply it later, and whoever restores must know. An attempt
/// without an answer is sent again only after a read of the record shows it did not land: a
/// request is applied at most once, so one that shows is over, while sending it again would
/// leave one more write that could still land.
async fn send(
    sf: &mut Salesforce,
    deadline: &Deadline,
    prepared: &Prepared,
    updated: &CustomMetadata,
    wanted: bool,
) -> Result<(), Error> {
    let located = &prepared.located;
    let mut lost = 0;
    loop {
        let latest_send = SystemTime::now() + deadline.remaining();
        sf.record_write(WriteStage::Sending { latest_send })
            .map_err(|e| {
                Error::Salesforce(SfError::new(
                    format!("updateMetadata of CustomMetadata `{}`", updated.full_name),
                    format!("not sent: the write could not be recorded first ({e})"),
                    "nothing was changed; check the runner's disk and run again",
                ))
            })?;
        let unknown_before = sf.unknown_outcomes();
        let sent = metadata::update_or_refusal(sf, deadline, updated).await;
        let failure = match sent {
            Ok(answered) => {
                let _ = sf.record_write(WriteStage::Answered);
                return match answered {
                    Ok(()) => Ok(()),
                    Err(refused) => Err(explain_refusal(sf, deadline, located, refused).await),
                };
            }
            Err(e) if sf.unknown_outcomes() == unknown_before => {
                let _ = sf.record_write(WriteStage::Answered);
                return Err(e.into());
            }
            // A failure to record this leaves the attempt recorded as sent until the deadline's
            // end: the safe side.
            Err(e) => {
                let _ = sf.record_write(WriteStage::Lost);
                e
            }
        };
        lost += 1;
        let pause = Backoff::HTTP.jittered(lost);
        if pause >= deadline.remaining() {
            return Err(failure.into());
        }
        let read = metadata::read(sf, deadline, &updated.full_name).await;
        let shows = |record: &CustomMetadata| {
            State::from_metadata(record.value(&located.field)) == State::Valid(wanted)
        };
        match read {
            Ok(Some(record)) if shows(&record) => {
                let _ = sf.record_write(WriteStage::Landed);
                sf.report(Event::WriteUnanswered {
                    answer: failure.answer,
                    wanted,
                    retry_in: None,
                });
                return Ok(());
            }
            Ok(_) => {}
            // Whether it landed is unknown: sending it again would only add a write in doubt.
            Err(_) => return Err(failure.into()),
        }
        sf.report(Event::WriteUnanswered {
            answer: failure.answer,
            wanted,
            retry_in: Some(pause),
        });
        tokio::time::sleep(pause).await;
    }
}

/// The `xsi:type` of the value we own: from the field's describe type (Checkbox `boolean`, Text
/// `string`); with a pinned field, the type the value was read with; for a pinned field whose
/// value reads as nil, one describe call decides.
async fn owned_xsi_type(
    sf: &mut Salesforce,
    deadline: &Deadline,
    prepared: &Prepared,
) -> Result<&'static str, Error> {
    let located = &prepared.located;
    if let Some(kind) = located.kind {
        return Ok(kind.xsi_type());
    }
    if let Some(MdValue::Typed {
        xsi_type: Some(t), ..
    }) = prepared.record.value(&located.field)
    {
        match t.as_str() {
            "boolean" => return Ok(FieldKind::Checkbox.xsi_type()),
            "string" => return Ok(FieldKind::Text.xsi_type()),
            _ => {}
        }
    }
    let fields = rest::describe(sf, deadline, &located.type_name).await?;
    let kind = fields
        .iter()
        .find(|f| f.name.raw().eq_ignore_ascii_case(&located.field))
        .map(|f| f.kind.raw());
    Ok(FieldKind::from_describe(&located.type_name, &located.field, kind)?.xsi_type())
}

/// Explains a refused write: reads the field's manageability (one more request, only here) and
/// says whether the package lets subscribers change the field, with Salesforce's answer verbatim.
async fn explain_refusal(
    sf: &mut Salesforce,
    deadline: &Deadline,
    located: &Located,
    refused: SfError,
) -> Error {
    let field = format!("{}.{}", located.type_name, located.field);
    let hint = match metadata::field_manageability(sf, deadline, &field).await {
        Ok(Some(m)) if m.raw() == "SubscriberControlled" => format!(
            "the package lets subscribers change {field} (fieldManageability SubscriberControlled), so the refusal has another cause: act on the statusCode and message above ({})",
            refused.hint
        ),
        Ok(Some(m)) if m.raw() == "DeveloperControlled" || m.raw() == "Locked" => format!(
            "the package does not let subscribers change {field} (fieldManageability {m}): only the package's developer can change it, through a package upgrade. Ask StoreConnect support how to switch the triggers in this org; this tool cannot change a {m} field"
        ),
        Ok(Some(m)) => format!("{field} has fieldManageability {m}; {}", refused.hint),
        Ok(None) => format!(
            "readMetadata did not show {field}'s fieldManageability (the field may be invisible to this user); {}",
            refused.hint
        ),
        Err(e) => format!(
            "reading {field}'s fieldManageability failed too ({}); {}",
            e.answer, refused.hint
        ),
    };
    Error::Salesforce(refused.with_hint(hint))
}
