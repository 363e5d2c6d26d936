//! TLS to PostgreSQL, as libpq reads `sslmode` and `sslrootcert` from the URL:
//!
//! | `sslmode` | encrypted | the server's certificate |
//! | --- | --- | --- |
//! | `disable` | never | — |
//! | `prefer` (the default) | when the server offers it | not checked (checked against `sslrootcert` when one is given) |
//! | `require` | always | not checked (checked against `sslrootcert` when one is given) |
//! | `verify-ca` | always | signed by `sslrootcert` (which it needs) |
//! | `verify-full` | always | signed by `sslrootcert` (default: the system's roots), and made out to the host of the URL |
//!
//! `sslrootcert=system` (the system's roots, every public CA) goes with `verify-full` only.
//! With `prefer` a server may still decline TLS, whatever `sslrootcert` says.
//!
//! tokio-postgres knows only the first three modes and no `sslrootcert`: the URL it is given
//! has them taken out and `require` in their place.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Not at all: the connection is encrypted against listeners, not against a server
    /// that pretends (libpq's `prefer` and `require`).
    Nothing,
    /// Signed by a trusted root.
    Chain,
    /// Signed by a trusted root and made out to the host connected to.
    ChainAndName,
}

/// The URL for tokio-postgres and the connector that speaks TLS as the URL asks.
pub(super) fn connector(url: &str) -> Result<(String, MakeRustlsConnect), String> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, query),
        None => (url, ""),
    };
    let mut kept = Vec::new();
    let mut mode = None;
    let mut root = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => mode = Some(value.to_string()),
            "sslrootcert" => root = Some(decode(value)),
            _ => kept.push(pair),
        }
    }
    let system = root.as_deref() == Some("system");
    let (passed, check) = match (mode.as_deref(), &root) {
        // The system's roots hold every public CA: without the name checked, any site's
        // certificate would do (libpq refuses the same).
        (None | Some("verify-full"), Some(_)) if system => ("require", Check::ChainAndName),
        (Some(weaker), Some(_)) if system => {
            return Err(format!(
                "sslmode `{weaker}` may not be used with sslrootcert=system, which trusts every public CA: use sslmode=verify-full"
            ));
        }
        (Some("verify-ca"), None) => {
            return Err(
                "sslmode=verify-ca needs sslrootcert=FILE, the CA that signed the server's certificate (or use sslmode=verify-full, checked against the system's roots)".into(),
            );
        }
        (None | Some("prefer"), None) => ("prefer", Check::Nothing),
        (None | Some("prefer"), Some(_)) => ("prefer", Check::Chain),
        (Some("disable"), _) => ("disable", Check::Nothing),
        (Some("require"), None) => ("require", Check::Nothing),
        (Some("require") | Some("verify-ca"), Some(_)) => ("require", Check::Chain),
        (Some("verify-full"), _) => ("require", Check::ChainAndName),
        (Some(other), _) => {
            return Err(format!(
                "sslmode `{other}` is not one of disable, prefer, require, verify-ca, verify-full"
            ));
        }
    };
    kept.push(match passed {
        "disable" => "sslmode=disable",
        "prefer" => "sslmode=prefer",
        _ => "sslmode=require",
    });
    let url = format!("{base}?{}", kept.join("&"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let roots = match check {
        Check::Nothing => None,
        Check::Chain | Check::ChainAndName => Some(
            WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(root.as_deref())?),
                Arc::clone(&provider),
            )
            .build()
            .map_err(|e| format!("TLS: {e}"))?,
        ),
    };
    let config = match (check, roots) {
        (Check::ChainAndName, Some(verifier)) => {
            builder.with_webpki_verifier(verifier).with_no_client_auth()
        }
        (_, roots) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Lenient { provider, roots }))
            .with_no_client_auth(),
    };
    Ok((url, MakeRustlsConnect::new(config)))
}

/// `%2F` and the like in a URL's value.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The roots a certificate is checked against: the PEM file `sslrootcert` names, or the
/// system's (for `verify-full` without one, and `sslrootcert=system`, as libpq has it).
fn roots(file: Option<&str>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match file {
        Some(path) if path != "system" => {
            let pem = crate::source::read_regular(std::path::Path::new(path), 1 << 20)
                .map_err(|e| format!("sslrootcert {path}: {e}"))?;
            let mut found = 0;
            for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
                let cert: CertificateDer<'static> =
                    cert.map_err(|e| format!("sslrootcert {path}: {e}"))?;
                store
                    .add(cert)
                    .map_err(|e| format!("sslrootcert {path}: {e}"))?;
                found += 1;
            }
            if found == 0 {
                return Err(format!("sslrootcert {path}: no PEM certificate in it"));
            }
        }
        _ => {
            let loaded = rustls_native_certs::load_native_certs();
            for cert in loaded.certs {
                let _ = store.add(cert);
            }
            if store.is_empty() {
                return Err(
                    "the system has no root certificates to check the server's against: give sslrootcert=FILE in the URL".into(),
                );
            }
        }
    }
    Ok(store)
}

/// libpq's checks short of `verify-full`: the chain against `roots` (`verify-ca`), or no
/// certificate check at all when there are none (`prefer`, `require`). The handshake's own
/// signatures are checked either way, so the connection is encrypted with the key of the
/// certificate presented.
#[derive(Debug)]
struct Lenient {
    provider: Arc<CryptoProvider>,
    roots: Option<Arc<WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let Some(roots) = &self.roots else {
            return Ok(ServerCertVerified::assertion());
        };
        match roots.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    #[test]
    fn the_url_keeps_its_own_settings_and_says_what_tokio_postgres_reads() {
        let (url, _) =
            connector("postgres://u@h/db?application_name=x&sslmode=verify-full").unwrap();
        assert_eq!(url, "postgres://u@h/db?application_name=x&sslmode=require");
        let (url, _) = connector("postgres://u@h/db").unwrap();
        assert_eq!(url, "postgres://u@h/db?sslmode=prefer");
        let (url, _) = connector("postgres://u@h/db?sslmode=disable").unwrap();
        assert_eq!(url, "postgres://u@h/db?sslmode=disable");
        let error = connector("postgres://u@h/db?sslmode=verify").err().unwrap();
        assert!(error.contains("verify-ca"), "{error}");
        for weak in ["require", "prefer", "verify-ca"] {
            let error = connector(&format!(
                "postgres://u@h/db?sslmode={weak}&sslrootcert=system"
            ))
            .err()
            .unwrap();
            assert!(error.contains("verify-full"), "{error}");
        }
        let error = connector("postgres://u@h/db?sslmode=verify-ca")
            .err()
            .unwrap();
        assert!(error.contains("sslrootcert=FILE"), "{error}");
        let error = connector("postgres://u@h/db?sslmode=require&sslrootcert=%2Fno%2Fsuch.pem")
            .err()
            .unwrap();
        assert!(error.starts_with("sslrootcert /no/such.pem:"), "{error}");
    }
}
