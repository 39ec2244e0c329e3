//! Synthetic bulletins (placeholder; filled in below).
