//! Sending one alert: e-mail through SMTP (`lettre`, STARTTLS, TLS, or plain for a loopback
//! relay) and the signed webhook (a JSON POST whose `X-Hailong-Signature` header is
//! `sha256=<hex HMAC-SHA256 of the body>` under the shared key). Credentials come from
//! `[alerts]` or the environment (`HAILONG_SMTP_PASSWORD`, `HAILONG_WEBHOOK_SECRET`) and never
//! reach a log: errors are reported without them.

use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Alert, Channel};
use crate::config::{AlertsConfig, SmtpSecurity};

/// The header carrying the webhook body's signature.
pub const SIGNATURE_HEADER: &str = "x-hailong-signature";

/// The configured ways out.
#[derive(Clone)]
pub struct Sender {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    webhook: Option<(reqwest::Client, String)>,
    secret: Vec<u8>,
}

/// The webhook's JSON body.
#[derive(Serialize)]
struct Hook<'a> {
    event: &'a str,
    key: &'a str,
    subject: &'a str,
    body: &'a str,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// The hex HMAC-SHA256 of `body` under `key`, as the webhook's receiver recomputes it.
pub fn signature(key: &[u8], body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

impl Sender {
    /// The ways out `config` names; the error names the setting that cannot be used.
    pub fn new(config: &AlertsConfig) -> Result<Sender, String> {
        let env = |name: &str, fallback: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| fallback.to_string())
        };
        let smtp = if config.smtp_host.is_empty() {
            None
        } else {
            let from: Mailbox = config
                .from
                .parse()
                .map_err(|e| format!("[alerts] from = {:?}: {e}", config.from))?;
            let host = config.smtp_host.as_str();
            let builder = match config.smtp_security {
                SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
                SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
                SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)),
            }
            .map_err(|e| format!("[alerts] smtp_host = {host:?}: {e}"))?;
            let mut builder = builder
                .port(config.smtp_port)
                .timeout(Some(std::time::Duration::from_secs(20)));
            let password = env("HAILONG_SMTP_PASSWORD", &config.smtp_password);
            if !config.smtp_username.is_empty() {
                builder = builder.credentials(Credentials::new(config.smtp_username.clone(), password));
            }
            Some((builder.build(), from))
        };
        let webhook = if config.webhook_url.is_empty() {
            None
        } else {
            let url = reqwest::Url::parse(&config.webhook_url)
                .map_err(|e| format!("[alerts] webhook_url = {:?}: {e}", config.webhook_url))?;
            if !matches!(url.scheme(), "https" | "http") {
                return Err(format!(
                    "[alerts] webhook_url = {:?}: http or https",
                    config.webhook_url
                ));
            }
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(20))
                .build()
                .map_err(|e| format!("[alerts] webhook_url: {e}"))?;
            Some((client, config.webhook_url.clone()))
        };
        let secret = env("HAILONG_WEBHOOK_SECRET", &config.webhook_secret);
        if webhook.is_some() && secret.len() < 16 {
            return Err("[alerts] webhook_secret (or HAILONG_WEBHOOK_SECRET): at least 16 characters".into());
        }
        Ok(Sender {
            smtp,
            webhook,
            secret: secret.into_bytes(),
        })
    }

    /// Sends `alert`; the error says why in words fit for the admin page (no credentials).
    pub async fn send(&self, alert: &Alert) -> Result<(), String> {
        match alert.channel {
            Channel::Email => {
                let Some((transport, from)) = &self.smtp else {
                    return Err("no SMTP server is configured ([alerts] smtp_host)".into());
                };
                let to: Mailbox = alert
                    .recipient
                    .parse()
                    .map_err(|e| format!("recipient {:?}: {e}", alert.recipient))?;
                let message = Message::builder()
                    .message_id(Some(message_id(alert, from)))
                    .from(from.clone())
                    .to(to)
                    .subject(alert.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(alert.body.clone())
                    .map_err(|e| format!("the message: {e}"))?;
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("SMTP: {e}"))
            }
            Channel::Webhook => {
                let Some((client, url)) = &self.webhook else {
                    return Err("no webhook is configured ([alerts] webhook_url)".into());
                };
                let body = serde_json::to_vec(&Hook {
                    event: &alert.event,
                    key: &alert.key,
                    subject: &alert.subject,
                    body: &alert.body,
                    created_at: alert.created_at,
                })
                .map_err(|e| e.to_string())?;
                let response = client
                    .post(url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header(SIGNATURE_HEADER, format!("sha256={}", signature(&self.secret, &body)))
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| format!("webhook: {}", e.without_url()))?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("webhook: answered {}", response.status()))
                }
            }
        }
    }
}

/// The alert's `Message-ID`: the same for every attempt at one alert (a retry after a send whose
/// acknowledgement was lost is recognisably the same message), unique across alerts, at the
/// sender's domain.
pub fn message_id(alert: &Alert, from: &Mailbox) -> String {
    let digest = Sha256::digest(format!("{}\u{1f}{}", alert.id, alert.key).as_bytes());
    format!(
        "<hailong.{}.{}@{}>",
        alert.id,
        &hex::encode(digest)[..16],
        from.email.domain()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_rfc_4231s_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
