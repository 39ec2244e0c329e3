//! Checks the tools' tests share (feature `testing`, enabled only as a
//! dev-dependency): every numeric flag fed hostile values must be refused at
//! parse time with exit 2, the flag's name and its range, and never panic.

use std::path::Path;
use std::process::Command;

use crate::args::{NumericArg, numeric_args};

/// The values every numeric flag is fed: 0, -1, the type's maximum, a huge
/// decimal and a non-number.
#[must_use]
pub fn hostile_values(arg: &NumericArg) -> Vec<String> {
    vec![
        "0".to_owned(),
        "-1".to_owned(),
        arg.type_max.clone(),
        "99999999999999999999999999999999999999999999999999".to_owned(),
        "not-a-number".to_owned(),
    ]
}

/// Runs `binary` (with a cleared environment, in `dir`) once per numeric flag
/// of `cli` and hostile value, as `<command...> --flag=VALUE` and nothing else.
/// Returns the flags checked and the failures, each a sentence. A run must
/// exit 2 without `panicked`; for `-1`, the huge decimal and the non-number,
/// standard error must say `--flag must be`.
#[must_use]
pub fn check_numeric_flags(
    binary: &Path,
    cli: &clap::Command,
    dir: &Path,
) -> (Vec<NumericArg>, Vec<String>) {
    let args = numeric_args(cli);
    let mut failures = Vec::new();
    for arg in &args {
        for (i, value) in hostile_values(arg).iter().enumerate() {
            let mut cmd = Command::new(binary);
            cmd.env_clear()
                .env("HOME", dir.join("no-home"))
                .current_dir(dir)
                .args(&arg.command)
                .arg(format!("{}={value}", arg.flag));
            let shown = format!("{} {}={value}", arg.command.join(" "), arg.flag);
            let output = match cmd.output() {
                Ok(o) => o,
                Err(e) => {
                    failures.push(format!("{shown}: cannot run: {e}"));
                    continue;
                }
            };
            let stderr = String::from_utf8_lossy(&output.stderr);
            if output.status.code() != Some(2) {
                failures.push(format!(
                    "{shown}: exit {:?}, not 2: {stderr}",
                    output.status.code()
                ));
            }
            if stderr.contains("panicked") {
                failures.push(format!("{shown}: panicked: {stderr}"));
            }
            let must_refuse = matches!(i, 1 | 3 | 4);
            if must_refuse && !stderr.contains(&format!("{} must be", arg.flag)) {
                failures.push(format!(
                    "{shown}: the message does not state the range: {stderr}"
                ));
            }
        }
    }
    (args, failures)
}
