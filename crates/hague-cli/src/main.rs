//! The `hague` binary; everything is in the library.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    hague_cli::main()
}
