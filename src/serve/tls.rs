//! HTTPS: the certificate chain and private key (`--tls-cert`, `--tls-key`, PEM files) read
//! into a rustls server configuration (TLS 1.2 and 1.3, the ring provider; HTTP/1.1 offered by
//! ALPN).

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The server configuration for `cert` (one or more PEM certificates, the server's first) and
/// `key` (a PEM private key: PKCS#8, PKCS#1 or SEC1); the error names the file and what to
/// give.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("--tls-cert {}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("--tls-cert {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "--tls-cert {}: no `-----BEGIN CERTIFICATE-----` in it; give the server's certificate (and its chain) in PEM",
            cert.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        format!(
            "--tls-key {}: {e}; give the private key in PEM (`-----BEGIN PRIVATE KEY-----`)",
            key.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            format!("--tls-cert and --tls-key: {e}; give a certificate and the key it was made for")
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
