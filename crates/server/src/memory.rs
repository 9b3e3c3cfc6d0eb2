//! The process gives back the memory a burst took.
//!
//! Each password hash borrows a 19 MiB block (argon2id at OWASP parameters). glibc serves
//! allocations that large with `mmap` — until one is freed: its *dynamic* threshold then rises
//! past 19 MiB, later blocks come from the heap arenas of the hashing threads, and freed arena
//! memory is kept. After a sign-in flood the process stayed near 400 MB. A fixed threshold turns
//! the dynamic one off: every block is mapped for its hash and unmapped after it, and the process
//! is back to its idle size as soon as the flood ends (docs/PERFORMANCE.md measures it).

/// Allocations from this size on are mapped and unmapped on their own.
const MMAP_THRESHOLD: i32 = 1024 * 1024;

/// Sets the allocator up (glibc only; elsewhere nothing to do). Idempotent.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; it is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
