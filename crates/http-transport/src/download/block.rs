//! Page-aligned blocks that gather the body's chunks for the writer thread.
//!
//! A block's data starts at the same offset within a page as its bytes do in the file, so
//! that everything from the first page boundary on can go to the disk with direct I/O
//! (`O_DIRECT` wants the memory address, the file offset and the length aligned); only a
//! partial first page (a resume at an unaligned length) and a partial last page go through
//! the page cache.

/// The alignment direct I/O needs (the page size; it covers 512-byte and 4 KiB sectors).
pub(crate) const ALIGN: usize = 4096;
/// Bytes a block holds: large writes, few system calls, and small enough to stay in cache.
pub(crate) const BLOCK: usize = 2 * 1024 * 1024;

/// A buffer of [`BLOCK`] bytes whose first byte is page-aligned, holding the bytes of the
/// file from `offset` on.
pub(crate) struct Block {
    mem: Vec<u8>,
    /// Index of the first page-aligned byte of `mem`.
    start: usize,
    /// `offset % ALIGN`: where the data starts within the first page.
    phase: usize,
    len: usize,
    offset: u64,
}

impl std::fmt::Debug for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Block({} bytes at {})", self.len, self.offset)
    }
}

impl Block {
    /// An empty block for the bytes from `offset` on.
    pub(crate) fn new(offset: u64) -> Self {
        let mem = vec![0u8; BLOCK + ALIGN];
        // A `u8` pointer can always be aligned; the `min` only keeps the slice in bounds.
        let start = mem.as_ptr().align_offset(ALIGN).min(ALIGN);
        let mut block = Self {
            mem,
            start,
            phase: 0,
            len: 0,
            offset: 0,
        };
        block.reset(offset);
        block
    }

    /// Empties the block for reuse, for the bytes from `offset` on.
    pub(crate) fn reset(&mut self, offset: u64) {
        self.offset = offset;
        self.phase = (offset % ALIGN as u64) as usize;
        self.len = 0;
    }

    /// Copies as much of `data` as fits; returns how much.
    pub(crate) fn fill(&mut self, data: &[u8]) -> usize {
        let at = self.start + self.phase + self.len;
        let n = data.len().min(BLOCK - self.phase - self.len);
        self.mem[at..at + n].copy_from_slice(&data[..n]);
        self.len += n;
        n
    }

    /// No room left.
    pub(crate) fn is_full(&self) -> bool {
        self.phase + self.len == BLOCK
    }

    /// Full, from a page boundary to the end: nothing but whole pages.
    pub(crate) fn is_whole(&self) -> bool {
        self.phase == 0 && self.is_full()
    }

    /// The bytes held.
    pub(crate) fn data(&self) -> &[u8] {
        let from = self.start + self.phase;
        &self.mem[from..from + self.len]
    }

    /// The whole buffer, page-aligned, as scratch space (for direct reads).
    pub(crate) fn scratch(&mut self) -> &mut [u8] {
        &mut self.mem[self.start..self.start + BLOCK]
    }

    /// The file offset of the first byte held.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// The data split for direct I/O: the bytes before the first page boundary, the whole
    /// pages (page-aligned in memory and in the file), and the bytes of a last partial page.
    pub(crate) fn parts(&self) -> (&[u8], &[u8], &[u8]) {
        let data = self.data();
        let head = if self.phase == 0 {
            0
        } else {
            data.len().min(ALIGN - self.phase)
        };
        let pages = (data.len() - head) / ALIGN * ALIGN;
        let (head_bytes, rest) = data.split_at(head);
        let (pages_bytes, tail) = rest.split_at(pages);
        (head_bytes, pages_bytes, tail)
    }
}

/// Opens another handle on the part file for direct I/O (for writing, else for reading),
/// if this system and file system offer it (`None` otherwise: the page cache serves).
pub(crate) fn open_direct(path: &std::path::Path, write: bool) -> Option<std::fs::File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        std::fs::OpenOptions::new()
            .read(!write)
            .write(write)
            .custom_flags(libc::O_DIRECT)
            .open(path)
            .ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (path, write);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_aligned_in_memory_and_in_the_file() {
        for offset in [0u64, 1, 4095, 4096, 12_345, (1 << 27) + 12_345] {
            let mut b = Block::new(offset);
            let data: Vec<u8> = (0..BLOCK + 100).map(|i| (i % 251) as u8).collect();
            let n = b.fill(&data);
            assert_eq!(n, BLOCK - (offset % ALIGN as u64) as usize, "{offset}");
            assert!(b.is_full());
            assert_eq!(b.data(), &data[..n]);
            let (head, pages, tail) = b.parts();
            assert_eq!(head.len() + pages.len() + tail.len(), n);
            assert_eq!(pages.as_ptr().align_offset(ALIGN), 0);
            assert_eq!((offset + head.len() as u64) % ALIGN as u64, 0);
            assert_eq!(pages.len() % ALIGN, 0);
            assert!(tail.is_empty(), "a full block ends on a page boundary");
            // A short last block: whole pages, then the rest through the page cache.
            b.reset(offset);
            b.fill(&data[..10_000]);
            let (head, pages, tail) = b.parts();
            assert_eq!(head.len() + pages.len() + tail.len(), 10_000);
            assert!(tail.len() < ALIGN && pages.len() % ALIGN == 0);
            assert_eq!([head, pages, tail].concat(), &data[..10_000]);
        }
    }
}
