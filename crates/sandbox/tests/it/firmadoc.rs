//! FirmaDocumentos.
