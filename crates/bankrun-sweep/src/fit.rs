//! fit (todo)
