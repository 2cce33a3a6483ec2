//! `results.csv`: one row per run, every scalar field of the record, and one `params.NAME`
//! column per property (nested client metrics stay in the JSON files).

use anyhow::Result;
use serde_json::Value;

use crate::results::RunRecord;

/// The CSV bytes of `records`; columns in record field order, then the params.
pub fn serialize(records: &[RunRecord]) -> Result<Vec<u8>> {
    let rows: Vec<Vec<(String, String)>> = records.iter().map(flatten).collect::<Result<_>>()?;
    let mut header: Vec<String> = Vec::new();
    for row in &rows {
        for (key, _) in row {
            if !header.contains(key) {
                header.push(key.clone());
            }
        }
    }
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(&header)?;
    for row in &rows {
        writer.write_record(header.iter().map(|h| {
            row.iter()
                .find(|(k, _)| k == h)
                .map_or("", |(_, v)| v.as_str())
        }))?;
    }
    Ok(writer.into_inner()?)
}

fn flatten(record: &RunRecord) -> Result<Vec<(String, String)>> {
    let Value::Object(map) = serde_json::to_value(record)? else {
        unreachable!("a struct")
    };
    let mut out = Vec::new();
    for (key, value) in map {
        match value {
            Value::Object(inner) if key == "params" => {
                out.extend(
                    inner
                        .into_iter()
                        .map(|(k, v)| (format!("params.{k}"), scalar(&v))),
                );
            }
            // A fault run's accounting (`fault`): its counts, one column each.
            Value::Object(inner) if key == "fault" => out.extend(
                inner
                    .into_iter()
                    .filter(|(_, v)| !v.is_object() && !v.is_array())
                    .map(|(k, v)| (format!("fault.{k}"), scalar(&v))),
            ),
            Value::Object(_) | Value::Array(_) => {}
            v => out.push((key, scalar(&v))),
        }
    }
    Ok(out)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_become_columns_and_nesting_is_left_out() {
        let mut r = RunRecord {
            trial_id: "t001".into(),
            messages: 10,
            ..Default::default()
        };
        r.params.insert("fetch.min.bytes".into(), "1024".into());
        r.client_metrics.insert("fetch-rate".into(), 1.0);
        let text = String::from_utf8(serialize(&[r]).unwrap()).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert!(header.contains("params.fetch.min.bytes"));
        assert!(header.contains("trial_id"));
        assert!(!header.contains("client_metrics"));
        assert!(lines.next().unwrap().contains("1024"));
    }
}
