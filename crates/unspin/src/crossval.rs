//! Article-level k-fold cross-validation (filled in with the classical trainer).
