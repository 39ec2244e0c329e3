//! `cargo xtask gen-bulletin --records N --out FILE [--seed S]`: writes a synthetic Hague
//! bulletin with `st96_model::synth` (feature `synth`). The file is written to a temporary
//! name and renamed when complete.

use std::path::PathBuf;

const USAGE: &str =
    "usage: cargo xtask gen-bulletin --records N --out FILE [--seed S] [--week YYYYWW]

  --records N   how many records to write (at least 1; about 4.5 KB each on average)
  --out FILE    where to write the bulletin XML
  --seed S      seed for the deterministic generator (default 1)
  --week YYYYWW the bulletin's week: number ww/yyyy, published on that week's Friday";

/// Runs the command with the arguments after `gen-bulletin`.
pub(crate) fn run(args: &[String]) -> crate::Result<()> {
    let mut records: Option<u64> = None;
    let mut out: Option<PathBuf> = None;
    let mut seed: u64 = 1;
    let mut week: Option<(u16, u8)> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--records" => {
                let v = value("--records")?;
                records = Some(v.parse().map_err(|_| {
                    format!("--records takes a whole number, not `{v}`\n\n{USAGE}")
                })?);
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("--seed takes a whole number, not `{v}`\n\n{USAGE}"))?;
            }
            "--week" => {
                let v = value("--week")?;
                let parsed = (v.len() == 6)
                    .then(|| Some((v[..4].parse::<u16>().ok()?, v[4..].parse::<u8>().ok()?)))
                    .flatten()
                    .filter(|(y, w)| st96_model::iso_week_friday(*y, *w).is_some());
                week = Some(parsed.ok_or_else(|| {
                    format!("--week takes an ISO week that exists as YYYYWW, not `{v}`\n\n{USAGE}")
                })?);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}").into()),
        }
    }
    let records = records.ok_or_else(|| format!("--records is required\n\n{USAGE}"))?;
    if records == 0 {
        return Err(format!("--records must be at least 1\n\n{USAGE}").into());
    }
    let out = out.ok_or_else(|| format!("--out is required\n\n{USAGE}"))?;
    let mut options = st96_model::synth::SynthOptions::new(records, seed);
    if let Some((y, w)) = week {
        options = options.for_week(y, w);
    }
    let stats = st96_model::synth::write_bulletin_file_with(&out, &options)
        .map_err(|e| format!("could not write {}: {e}", out.display()))?;
    println!(
        "wrote {} records ({} bytes, {} views, {} holders) to {}",
        stats.records,
        stats.bytes,
        stats.views,
        stats.holders,
        out.display()
    );
    for (kind, n) in &stats.per_kind {
        println!("  {kind}: {n}");
    }
    println!(
        "  registrations per designated party: {}",
        stats
            .designations
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  representatives: {}, history entries: {}",
        stats.representatives, stats.history_entries
    );
    Ok(())
}
