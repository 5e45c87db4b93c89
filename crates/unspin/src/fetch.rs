//! Articles from the web: `unspin analyze https://…`, and `{"url": …}` in the HTTP API.
//!
//! One blocking fetch with every limit a service needs: a total time limit, a byte limit on the
//! body (read in chunks, never buffered past the limit), a redirect limit, http and https only,
//! and a charset-aware decode (the `Content-Type` charset first, then the page's own
//! `<meta charset>`, then UTF-8).
//!
//! **Server-side request forgery.** A server that fetches what its users name can be turned
//! against its own network (the cloud metadata service at 169.254.169.254, an admin page on
//! localhost). With [`FetchOptions::allow_internal`] off, every address a host name resolves to
//! is checked *after* DNS resolution, on the first request and on every redirect, and the fetch
//! is refused if any of them is loopback, private, link-local, shared, multicast, unspecified
//! or otherwise not globally routable ([`is_internal`]); literal IP addresses in URLs are
//! checked the same way. Checking the resolved addresses inside the resolver, the one the
//! connection then uses, leaves no window for a name that resolves differently the second time
//! (DNS rebinding). The CLI, run by its own user, allows everything, as curl does.

use crate::input::{article_from_bytes, InputError, InputFormat};
use crate::Article;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Limits of one fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Largest body accepted, in bytes; a larger one is refused, not truncated.
    pub max_bytes: u64,
    /// For the whole fetch, redirects and body included.
    pub timeout: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Fetch loopback, private and link-local addresses too (the CLI's choice; a server's only
    /// when its operator says so).
    pub allow_internal: bool,
    /// The address check behind `allow_internal`: `Some(what)` refuses an address. Always
    /// [`is_internal`] in use; tests swap it to refuse one loopback address and not another.
    pub deny: fn(IpAddr) -> Option<&'static str>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            max_bytes: crate::input::DEFAULT_MAX_BYTES,
            timeout: Duration::from_secs(20),
            max_redirects: 5,
            allow_internal: false,
            deny: is_internal,
        }
    }
}

/// Why a fetch failed. Every message names the URL.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: not a URL unspin fetches: {reason}")]
    BadUrl { url: String, reason: String },
    /// The address is internal and the options do not allow that.
    // The address itself stays out of the message: an API client must not learn how internal
    // names resolve.
    #[error("{url}: refused: {host} is {what}; this server fetches public addresses only")]
    Internal {
        url: String,
        host: String,
        addr: IpAddr,
        what: &'static str,
    },
    #[error("{url}: more than {limit} redirects")]
    TooManyRedirects { url: String, limit: usize },
    #[error("{url}: the server answered {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    /// Fetched, but the body is not an article (binary, bad UTF-8, a page without text, ...).
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{url}: {message}")]
    Html { url: String, message: String },
}

impl FetchError {
    /// Whether the caller asked for something refused (bad URL, internal address), as opposed
    /// to the remote side failing.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            FetchError::BadUrl { .. } | FetchError::Internal { .. }
        )
    }
}

/// What kind of internal address `ip` is, or `None` for a globally routable one.
///
/// ```
/// use unspin::fetch::is_internal;
/// assert_eq!(is_internal("127.0.0.1".parse().unwrap()), Some("a loopback address"));
/// assert_eq!(is_internal("169.254.169.254".parse().unwrap()), Some("a link-local address"));
/// assert_eq!(is_internal("::ffff:10.0.0.1".parse().unwrap()), Some("a private address"));
/// assert_eq!(is_internal("93.184.215.14".parse().unwrap()), None);
/// ```
pub fn is_internal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let seg = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                let [a, b] = hi.to_be_bytes();
                let [c, d] = lo.to_be_bytes();
                internal_v4(Ipv4Addr::new(a, b, c, d))
            };
            if v6.is_loopback() {
                Some("a loopback address")
            } else if v6.is_unspecified() {
                Some("the unspecified address")
            } else if seg[0] & 0xfe00 == 0xfc00 {
                Some("a private address") // unique local, fc00::/7 (AWS metadata fd00:ec2::254)
            } else if seg[0] & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else if v6.is_multicast() {
                Some("a multicast address")
            } else if seg[..6] == [0; 6] {
                // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks).
                embedded(seg[6], seg[7]).or(Some("an IPv4-compatible address"))
            } else if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0; 4] {
                // NAT64 (64:ff9b::/96) embeds an IPv4 address: judge that.
                embedded(seg[6], seg[7])
            } else if seg[0] == 0x2002 {
                // 6to4 embeds the IPv4 address in bits 16..48.
                embedded(seg[1], seg[2])
            } else if seg[0] == 0x2001 && seg[1] == 0 {
                Some("a Teredo tunnel address")
            } else if seg[0] == 0x2001 && seg[1] == 0x0db8 {
                Some("a documentation address")
            } else if seg[0] & 0xe000 != 0x2000 {
                // Only 2000::/3 is global unicast; the rest is reserved or special-purpose
                // (NAT64 local-use 64:ff9b:1::/48 among them).
                Some("a reserved address")
            } else {
                None
            }
        }
    }
}

fn internal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, _, _] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_unspecified() || a == 0 {
        Some("the unspecified address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a shared (carrier-grade NAT) address")
    } else if ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        Some("a broadcast, multicast or reserved address")
    } else if (a, b, ip.octets()[2]) == (192, 0, 0) || (a, b, ip.octets()[2]) == (192, 88, 99) {
        Some("a special-purpose address")
    } else if ip.is_documentation() || (a == 198 && (b == 18 || b == 19)) {
        Some("a documentation or benchmarking address")
    } else {
        None
    }
}

/// The bytes and headers of a fetched page.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the content came from, after redirects.
    pub url: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Fetches `url` within `opts`' limits.
pub fn fetch(url: &str, opts: &FetchOptions) -> Result<Fetched, FetchError> {
    let started = std::time::Instant::now();
    let parsed = parse_url(url)?;
    check_literal(url, &parsed, opts)?;
    let first = url.to_string();
    let response = client(opts, &first)?
        .get(parsed)
        .send()
        .map_err(|e| network_error(&first, e, opts.max_redirects))?;
    let status = response.status();
    let final_url = response.url().to_string();
    if !status.is_success() {
        return Err(FetchError::Status {
            url: final_url,
            status: status.as_u16(),
        });
    }
    if response
        .content_length()
        .is_some_and(|n| n > opts.max_bytes)
    {
        return Err(FetchError::TooLarge {
            url: final_url,
            limit: opts.max_bytes,
        });
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = read_body(response, &final_url, opts, started)?;
    Ok(Fetched {
        url: final_url,
        content_type,
        body,
    })
}

/// The HTTP client for one fetch: `opts`' timeouts, a redirect policy that re-checks every
/// hop (count, scheme, and literal addresses unless internal ones are allowed), and a
/// resolver that refuses internal addresses after DNS.
fn client(opts: &FetchOptions, first: &str) -> Result<reqwest::blocking::Client, FetchError> {
    let deny = (!opts.allow_internal).then_some(opts.deny);
    let max_redirects = opts.max_redirects;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > max_redirects {
            return attempt.error(RedirectRefused(format!(
                "more than {max_redirects} redirects"
            )));
        }
        let next = attempt.url().clone();
        if !matches!(next.scheme(), "http" | "https") {
            return attempt.error(RedirectRefused(format!(
                "redirected to {next}, which is not http or https"
            )));
        }
        if let Some(deny) = deny {
            if let Some(host) = next.host() {
                if let Some((addr, what)) = literal_denied(&host, deny) {
                    return attempt.error(RedirectRefused(format!(
                        "redirected to {next}: {addr} is {what}"
                    )));
                }
            }
        }
        attempt.follow()
    });
    let mut builder = reqwest::blocking::Client::builder()
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout.min(Duration::from_secs(10)))
        .redirect(policy)
        .user_agent(concat!("unspin/", env!("CARGO_PKG_VERSION")));
    if let Some(deny) = deny {
        // Through a proxy (HTTP_PROXY and friends, which reqwest honours by default) the proxy
        // would resolve and connect, and the address check would never see the target.
        builder = builder.dns_resolver(Arc::new(PublicOnly(deny))).no_proxy();
    }
    builder.build().map_err(|e| FetchError::Network {
        url: first.to_string(),
        message: format!("cannot start the HTTP client: {e}"),
    })
}

/// Reads the body, one byte past the limit: getting it means the body is too large (a missing
/// or lying Content-Length cannot make us buffer more). reqwest's timeout covers the request
/// and each read, not the whole body, so a server trickling a byte at a time is stopped by the
/// deadline `started + opts.timeout` (at most one read's timeout late).
fn read_body(
    response: reqwest::blocking::Response,
    final_url: &str,
    opts: &FetchOptions,
    started: std::time::Instant,
) -> Result<Vec<u8>, FetchError> {
    let mut body = Vec::new();
    let mut reader = response.take(opts.max_bytes.saturating_add(1));
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if started.elapsed() > opts.timeout {
            return Err(FetchError::Network {
                url: final_url.to_string(),
                message: "timed out reading the body".into(),
            });
        }
        let n = reader.read(&mut chunk).map_err(|e| FetchError::Network {
            url: final_url.to_string(),
            message: format!("reading the body failed: {e}"),
        })?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    if body.len() as u64 > opts.max_bytes {
        return Err(FetchError::TooLarge {
            url: final_url.to_string(),
            limit: opts.max_bytes,
        });
    }
    Ok(body)
}

/// Fetches `url` and makes an article of it: an HTML page becomes its main text (with its
/// title), plain text is kept as it is. The id is the URL's last path segment without its
/// extension (`…/news/story.html` → `story`), else its host.
pub fn fetch_article(url: &str, opts: &FetchOptions) -> Result<Article, FetchError> {
    let fetched = fetch(url, opts)?;
    let mut article = article_from_fetched(&fetched)?;
    article.id = id_from_url(&fetched.url);
    Ok(article)
}

/// The decode half of [`fetch_article`], for bytes already fetched.
pub fn article_from_fetched(f: &Fetched) -> Result<Article, FetchError> {
    let (mime, charset) = split_content_type(f.content_type.as_deref());
    let name = Path::new(&f.url);
    let id = id_from_url(&f.url);
    let html = matches!(mime.as_str(), "text/html" | "application/xhtml+xml")
        || (!mime.starts_with("text/plain")
            && unspin_html::looks_like_html(&String::from_utf8_lossy(
                &f.body[..f.body.len().min(4096)],
            )));
    let encoding = charset.and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()));
    if html {
        // The HTTP charset outranks the page's <meta> (HTML's encoding sniffing rules); without
        // one, the page's own declaration decides.
        let text = match encoding {
            Some(enc) => enc.decode_with_bom_removal(&f.body).0.into_owned(),
            None => unspin_html::decode_html(&f.body),
        };
        return crate::article_from_html(id, &text).map_err(|e| FetchError::Html {
            url: f.url.clone(),
            message: e.to_string(),
        });
    }
    let bytes = match encoding {
        Some(enc) if enc != encoding_rs::UTF_8 => enc
            .decode_without_bom_handling(&f.body)
            .0
            .into_owned()
            .into_bytes(),
        _ => f.body.clone(),
    };
    Ok(article_from_bytes(bytes, id, name, InputFormat::Text)?)
}

/// `text/html; charset=ISO-8859-1` → (`text/html`, `Some("ISO-8859-1")`).
fn split_content_type(ct: Option<&str>) -> (String, Option<String>) {
    let Some(ct) = ct else {
        return (String::new(), None);
    };
    let mut parts = ct.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset")).then(|| v.trim().trim_matches('"').to_string())
    });
    (mime, charset)
}

/// `https://example.org/news/story.html?x=1` → `story`; `https://example.org/` → `example.org`.
pub fn id_from_url(url: &str) -> String {
    let Ok(u) = reqwest::Url::parse(url) else {
        return "url".to_string();
    };
    let last = u
        .path_segments()
        .and_then(|mut s| s.rfind(|seg| !seg.is_empty()).map(str::to_string))
        .unwrap_or_default();
    let stem = last.rsplit_once('.').map_or(last.as_str(), |(s, _)| s);
    if stem.is_empty() {
        u.host_str().unwrap_or("url").to_string()
    } else {
        stem.to_string()
    }
}

/// Whether `arg` names a URL for [`fetch`] rather than a file.
pub fn is_url(arg: &str) -> bool {
    let lower = arg.get(..8).unwrap_or(arg).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn parse_url(url: &str) -> Result<reqwest::Url, FetchError> {
    let bad = |reason: String| FetchError::BadUrl {
        url: url.to_string(),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(format!(
            "scheme {:?}: only http and https",
            parsed.scheme()
        )));
    }
    if parsed.host().is_none() {
        return Err(bad("no host".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("credentials in URLs are not sent".into()));
    }
    Ok(parsed)
}

/// A literal IP host (`http://127.0.0.1/`, `http://[::1]/`) never reaches the resolver, so it
/// is checked here.
fn check_literal(url: &str, parsed: &reqwest::Url, opts: &FetchOptions) -> Result<(), FetchError> {
    if opts.allow_internal {
        return Ok(());
    }
    if let Some((addr, what)) = parsed
        .host()
        .as_ref()
        .and_then(|h| literal_denied(h, opts.deny))
    {
        return Err(FetchError::Internal {
            url: url.to_string(),
            host: parsed.host_str().unwrap_or_default().to_string(),
            addr,
            what,
        });
    }
    Ok(())
}

fn literal_denied(
    host: &url::Host<&str>,
    deny: fn(IpAddr) -> Option<&'static str>,
) -> Option<(IpAddr, &'static str)> {
    let ip = match host {
        url::Host::Ipv4(v4) => IpAddr::V4(*v4),
        url::Host::Ipv6(v6) => IpAddr::V6(*v6),
        url::Host::Domain(_) => return None,
    };
    deny(ip).map(|what| (ip, what))
}

/// A redirect the policy refused; its message becomes the error's.
#[derive(Debug)]
struct RedirectRefused(String);

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// An address check that failed inside the resolver.
#[derive(Debug)]
struct InternalHost {
    host: String,
    addr: IpAddr,
    what: &'static str,
}

impl std::fmt::Display for InternalHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is {} ({})", self.host, self.what, self.addr)
    }
}

impl std::error::Error for InternalHost {}

/// Resolves with the system resolver, then refuses a host any of whose addresses is internal
/// (rather than dropping those: a name that mixes public and internal addresses is suspect).
struct PublicOnly(fn(IpAddr) -> Option<&'static str>);

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let deny = self.0;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for a in &addrs {
                if let Some(what) = deny(a.ip()) {
                    let e: Box<dyn std::error::Error + Send + Sync> = Box::new(InternalHost {
                        host: host.clone(),
                        addr: a.ip(),
                        what,
                    });
                    return Err(e);
                }
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Turns reqwest's error into ours, finding our own refusals in its source chain.
fn network_error(url: &str, e: reqwest::Error, limit: usize) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(internal) = s.downcast_ref::<InternalHost>() {
            return FetchError::Internal {
                url: url.to_string(),
                host: internal.host.clone(),
                addr: internal.addr,
                what: internal.what,
            };
        }
        if let Some(r) = s.downcast_ref::<RedirectRefused>() {
            if r.0.starts_with("more than") {
                return FetchError::TooManyRedirects {
                    url: url.to_string(),
                    limit,
                };
            }
            return FetchError::BadUrl {
                url: url.to_string(),
                reason: r.0.clone(),
            };
        }
        source = s.source();
    }
    let message = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        format!("cannot connect: {}", root_cause(&e))
    } else {
        root_cause(&e)
    };
    FetchError::Network {
        url: url.to_string(),
        message,
    }
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut last = e.to_string();
    let mut s = e.source();
    while let Some(x) = s {
        last = x.to_string();
        s = x.source();
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses() {
        for (ip, internal) in [
            ("127.0.0.1", true),
            ("10.1.2.3", true),
            ("172.16.0.1", true),
            ("172.32.0.1", false),
            ("192.168.1.1", true),
            ("169.254.169.254", true),
            ("100.64.0.1", true),
            ("0.0.0.0", true),
            ("255.255.255.255", true),
            ("224.0.0.1", true),
            ("8.8.8.8", false),
            ("::1", true),
            ("::", true),
            ("fd00:ec2::254", true),
            ("fe80::1", true),
            ("::ffff:127.0.0.1", true),
            ("64:ff9b::a9fe:a9fe", true), // NAT64 of 169.254.169.254
            ("::7f00:1", true),           // IPv4-compatible 127.0.0.1
            ("2002:a9fe:a9fe::1", true),  // 6to4 of 169.254.169.254
            ("2002:808:808::1", false),   // 6to4 of 8.8.8.8
            ("2001:0:1::1", true),        // Teredo
            ("64:ff9b:1::1", true),       // NAT64 local use
            ("192.0.0.8", true),
            ("2606:4700::1111", false),
        ] {
            assert_eq!(is_internal(ip.parse().unwrap()).is_some(), internal, "{ip}");
        }
    }

    #[test]
    fn urls_refused_before_any_request() {
        let opts = FetchOptions::default();
        for url in [
            "ftp://example.org/a",
            "file:///etc/passwd",
            "http://user:pw@example.org/",
            "not a url",
        ] {
            assert!(
                matches!(fetch(url, &opts), Err(FetchError::BadUrl { .. })),
                "{url}"
            );
        }
        for url in [
            "http://127.0.0.1:1/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://0x7f000001/",
        ] {
            let e = fetch(url, &opts).unwrap_err();
            assert!(matches!(e, FetchError::Internal { .. }), "{url}: {e}");
        }
    }

    #[test]
    fn ids_from_urls() {
        assert_eq!(
            id_from_url("https://example.org/news/story.html?x=1"),
            "story"
        );
        assert_eq!(id_from_url("https://example.org/news/2024/"), "2024");
        assert_eq!(id_from_url("https://example.org/"), "example.org");
        assert!(is_url("HTTPS://example.org"));
        assert!(!is_url("article.txt"));
    }

    #[test]
    fn decode_follows_the_http_charset() {
        let f = Fetched {
            url: "http://x/a.txt".into(),
            content_type: Some("text/plain; charset=ISO-8859-1".into()),
            body: b"Caf\xe9 prices rose.".to_vec(),
        };
        assert_eq!(
            article_from_fetched(&f).unwrap().text(),
            "Café prices rose."
        );
        let f = Fetched {
            url: "http://x/a".into(),
            content_type: Some("text/plain".into()),
            body: b"Caf\xe9".to_vec(),
        };
        assert!(matches!(
            article_from_fetched(&f),
            Err(FetchError::Input(InputError::NotUtf8 { .. }))
        ));
    }
}
