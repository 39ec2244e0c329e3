//! The `hague` binary; everything is in the library.
#![forbid(unsafe_code)]

/// mimalloc rather than the system allocator: `bulletin export` and `bulletin worklist`
/// build each record on one thread and encode it on another, and glibc's allocator spent
/// about a quarter of the parsing thread's time on those records' frees and re-allocations
/// (`perf`, 1 GB bulletin: 435 MB/s with mimalloc against 373 MB/s). mimalloc is
/// Microsoft's, widely used, and small to build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    hague_cli::main()
}
