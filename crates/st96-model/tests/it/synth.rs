//! Synthetic bulletins (filled in below).
