//! The `firmadoc` binary; everything is in the library.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    firmadoc_cli::main()
}
