//! Project automation, run as `cargo xtask <command>`.
//!
//! Commands:
//! - `sandbox`: the offline sandbox of both services, in the foreground.
//! - `demo`: the main job, the full cycle of both services against the offline sandbox.
//! - `ci`: formatting check, clippy with `-D warnings`, the test tools, and every test.
//! - `tools`: install the pinned Python and npm tools that tests compare against
//!   (into `target/tools/`), and print where they are.
//! - `test-contract`: replay the recorded HTTP exchanges in `fixtures/`.
//! - `deny`: supply-chain checks with cargo-deny.
//! - `fuzz`: run the fuzz targets of `fuzz/`.
//! - `bench`: every benchmark against its peer, in one table.
//! - `record`: record scripted calls as new scenario folders.
//! - `package`: `cargo package` of every library crate (publishable as they stand).
//! - `gen-bulletin --records N --out FILE`: write a synthetic Hague bulletin.

mod bench;
mod ci;
#[cfg(test)]
mod circles;
mod contract;
mod demo;
mod deny;
mod fuzz;
mod gen_bulletin;
#[cfg(test)]
mod hygiene;
mod operations;
mod package;
mod postgres;
mod record;
mod samples;
mod tools;
mod workspace;

use std::process::ExitCode;

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  sandbox [--hws-port N] [--firmadoc-port N] [--tls]
           run the offline sandbox of both services in the foreground
  demo     the main job: the whole HWS and FirmaDocumentos cycle against an offline sandbox
  ci       fmt --check, clippy -D warnings, tools, and all tests (the README's test command)
  tools    install the pinned Python/npm test tools into target/tools/
  test-contract [--service hague|firmadoc] [--filter TEXT] [--update]
           replay the recorded exchanges in fixtures/ against the clients
  deny [--advisories]
           cargo-deny: licences, bans, sources (and the RustSec advisories where reachable)
  fuzz [--seconds N] [--target NAME]
           run every fuzz target in fuzz/ (nightly + cargo-fuzz), seeded from fixtures/
  bench [--quick]
           every benchmark in one table against peers and limits (full run writes docs/benchmarks.md)
  package [--verify]
           cargo package of every library crate, as if publish = false were lifted
  record --live|--sandbox [--out DIR]
           record a scripted sequence of calls as new fixtures (from the offline sandbox)
  gen-bulletin --records N --out FILE [--seed S]
           write a realistic synthetic Hague bulletin (ST.96 XML)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("record") => record::run(&args[1..]),
        Some("test-contract") => contract::run(&args[1..]),
        Some("sandbox") => workspace::run(
            workspace::cargo()
                .args(["run", "--quiet", "--package", "sandbox", "--"])
                .args(&args[1..]),
        ),
        Some("demo") => demo::run(&args[1..]),
        Some("deny") => deny::run_deny(&args[1..]),
        Some("fuzz") => fuzz::run_fuzz(&args[1..]),
        Some("package") => package::run_package(&args[1..]),
        Some("gen-bulletin") => gen_bulletin::run(&args[1..]),
        Some("tools") => tools::ensure().map(|t| t.print()),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err}");
            ExitCode::FAILURE
        }
    }
}
