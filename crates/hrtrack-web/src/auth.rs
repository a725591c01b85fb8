//! Signing in and who is asking: cookie sessions for people, `Authorization: Bearer` tokens
//! for scripts, CSRF tokens for every state-changing request made with a cookie, and sign-in
//! throttling that nobody can turn into a lock-out.
//!
//! - A session is a random secret in the `hrtrack_session` cookie (HttpOnly, SameSite=Lax,
//!   Secure when the request came over TLS: `X-Forwarded-Proto: https` from the proxy, or
//!   `HRTRACK_SECURE_COOKIES=1`); the database holds only its SHA-256 and the session's
//!   CSRF token. Sessions last [`SESSION_HOURS`] and end on logout, on a password change and
//!   when the account is archived. A password change or reset also revokes the account's API
//!   tokens.
//! - Forms carry the CSRF token in a hidden `csrf` field; API calls made with the cookie
//!   send it in `X-CSRF-Token`. Bearer-token calls need none (no browser sends them on its
//!   own).
//! - Sign-ins are throttled per (name, client address) and per client over all names
//!   (`hrtrack_db::roadmap::throttle`): after five failures for one name from one client,
//!   that client waits 1 s, 2 s, 4 s … up to 15 minutes between attempts (429 with
//!   `Retry-After`); other clients are not held back. The attempt is reserved in the database
//!   before the password is checked. The client is the socket's peer address, or the last
//!   address of `X-Forwarded-For` when `HRTRACK_TRUST_PROXY=1` says a reverse proxy sets it.
//!   An administrator clears a name's counts (`hrtrack user unlock`, or the user's page).
//! - Passwords are hashed and verified on blocking threads, a few at a time
//!   ([`PasswordPool`]); unknown and archived accounts are checked against a dummy hash, so
//!   they take as long as real ones.
//!
//! [`Principal`] is the extractor every Roadmap handler takes; it never fails for anonymous
//! visitors (they are the public) but does for a bad bearer token (401).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use hrtrack_access::password::{PasswordPool, check_new_password};
use hrtrack_access::token::{new_secret, secret_digest, secrets_equal};
use hrtrack_db::Store;
use hrtrack_db::roadmap::{Actor, LoginAttempt, User};

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "hrtrack_session";
/// How long a session lasts.
pub const SESSION_HOURS: u64 = 12;
/// The setting that makes `X-Forwarded-For` the client address (`1`: a reverse proxy that
/// sets it stands in front of the server, and nothing else can reach it).
pub const TRUST_PROXY_ENV: &str = "HRTRACK_TRUST_PROXY";
/// The header that carries the CSRF token on cookie-authenticated API calls.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What signing in needs besides the store: the password pool, and whether the reverse
/// proxy's `X-Forwarded-For` names the client.
#[derive(Clone)]
pub(crate) struct Accounts {
    passwords: Arc<PasswordPool>,
    trust_proxy: bool,
}

impl Accounts {
    /// A pool sized to the machine; the proxy trusted when [`TRUST_PROXY_ENV`] is `1`.
    pub(crate) fn from_env() -> Self {
        Self {
            passwords: Arc::new(PasswordPool::sized_to_machine()),
            trust_proxy: std::env::var(TRUST_PROXY_ENV).is_ok_and(|v| v.trim() == "1"),
        }
    }
}

impl AppState {
    /// Where passwords are hashed and verified, off the runtime's threads.
    pub fn passwords(&self) -> &PasswordPool {
        &self.accounts.passwords
    }

    /// The state with `X-Forwarded-For` trusted (or not) as the client address.
    pub fn with_trusted_proxy(mut self, trusted: bool) -> Self {
        self.accounts.trust_proxy = trusted;
        self
    }
}

/// The address sign-ins are throttled by: the socket's peer, or with a trusted proxy the last
/// address its `X-Forwarded-For` names (the one the proxy itself saw); `""` when unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    /// The client of a request with these `headers` from socket `peer`.
    pub fn of(trust_proxy: bool, peer: Option<SocketAddr>, headers: &HeaderMap) -> Self {
        if trust_proxy
            && let Some(ip) = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
                .and_then(|v| v.parse::<IpAddr>().ok())
        {
            return Self(ip.to_string());
        }
        Self(peer.map(|p| p.ip().to_string()).unwrap_or_default())
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Also finds the `MockConnectInfo` that tests put in front of the router.
        let peer = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .ok()
            .map(|info| info.0);
        Ok(Self::of(state.accounts.trust_proxy, peer, &parts.headers))
    }
}

/// How the principal proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    Anonymous,
    /// A browser session; `csrf` is the token its forms must carry.
    Session {
        digest: String,
        csrf: String,
    },
    /// A personal API token.
    Token,
}

/// Who is asking: a signed-in user, or the public.
#[derive(Debug, Clone)]
pub struct Principal {
    user: Option<User>,
    credentials: Credentials,
}

impl Principal {
    pub fn anonymous() -> Self {
        Self {
            user: None,
            credentials: Credentials::Anonymous,
        }
    }

    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The session's CSRF token, for forms.
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Session { csrf, .. } => Some(csrf),
            _ => None,
        }
    }

    /// The audit trail's name for this principal's changes.
    pub fn actor(&self) -> Actor {
        match &self.user {
            Some(user) => Actor::user(user.id, &user.name),
            None => Actor::system("anonymous"),
        }
    }

    /// Checks a state-changing request: with a session, `presented` must be its CSRF token
    /// (403 `csrf_invalid` otherwise); token and anonymous requests pass (authorization
    /// refuses the anonymous ones after).
    pub fn check_csrf(&self, presented: Option<&str>) -> Result<(), ApiError> {
        match &self.credentials {
            Credentials::Session { csrf, .. } => match presented {
                Some(presented) if secrets_equal(presented, csrf) => Ok(()),
                Some(_) => Err(ApiError::new(
                    ErrorCode::CsrfInvalid,
                    "the form's CSRF token is wrong: reload the page and try again",
                )),
                None => Err(ApiError::new(
                    ErrorCode::CsrfInvalid,
                    "the CSRF token is missing: forms carry it in `csrf`, API calls in `X-CSRF-Token`",
                )),
            },
            Credentials::Token | Credentials::Anonymous => Ok(()),
        }
    }

    /// Checks an API write: the CSRF header when the call came with the session cookie.
    pub fn check_api_csrf(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        self.check_csrf(headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()))
    }
}

/// The value of cookie `name`.
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// Finds the principal of a request's headers.
pub async fn principal_of(store: &Store, headers: &HeaderMap) -> Result<Principal, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthorized,
                    "the Authorization header must be `Bearer TOKEN`",
                )
            })?;
        let user = store
            .user_by_api_token(&secret_digest(token))
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthorized,
                    "this API token is unknown or revoked",
                )
            })?;
        return Ok(Principal {
            user: Some(user),
            credentials: Credentials::Token,
        });
    }
    if let Some(secret) =
        cookie_value(headers, SESSION_COOKIE).filter(|s| !s.is_empty() && s.len() <= 200)
    {
        let digest = secret_digest(secret);
        if let Some(session) = store.session(&digest).await? {
            return Ok(Principal {
                user: Some(session.user),
                credentials: Credentials::Session {
                    digest,
                    csrf: session.csrf_token,
                },
            });
        }
    }
    Ok(Principal::anonymous())
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        principal_of(state.store(), &parts.headers).await
    }
}

/// Whether a browser's `Origin` (when it sends one) is this server: the sign-in form has
/// no session and so no CSRF token yet, and a sign-in posted from another site (to sign the
/// visitor in as someone else) is refused by this check. Our `Referrer-Policy: same-origin`
/// makes browsers send the real origin on our own forms and `null` from anywhere else
/// (`no-referrer` would make it `null` on our own forms too).
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map_or("", |(_, rest)| rest.trim_end_matches('/'));
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// Whether the session cookie should be `Secure`: the request came over TLS.
fn over_tls(headers: &HeaderMap) -> bool {
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    forwarded || std::env::var("HRTRACK_SECURE_COOKIES").is_ok_and(|v| v == "1")
}

/// The `Set-Cookie` of a new session.
fn session_cookie(secret: &str, headers: &HeaderMap) -> HeaderValue {
    let secure = if over_tls(headers) { "; Secure" } else { "" };
    let value = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_HOURS * 3600
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The `Set-Cookie` that removes the session cookie.
pub fn expired_session_cookie() -> HeaderValue {
    HeaderValue::from_static("hrtrack_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// RFC 3339 of `now + seconds` (negative for the past).
fn rfc3339_from_now(seconds: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let at = now + seconds;
    let date = hrtrack_domain::Date::from_days_since_unix_epoch(at.div_euclid(86_400));
    let rem = at.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Why a sign-in failed.
#[derive(Debug)]
pub enum SignInError {
    /// Wrong name or password (the two are not told apart).
    Rejected,
    /// Too many failures for this name (or any name) from this client lately: its password
    /// was not checked.
    Throttled {
        retry_after_secs: u64,
    },
    Store(hrtrack_db::StoreError),
}

impl From<hrtrack_db::StoreError> for SignInError {
    fn from(error: hrtrack_db::StoreError) -> Self {
        SignInError::Store(error)
    }
}

impl From<SignInError> for ApiError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::Rejected => {
                ApiError::new(ErrorCode::Unauthorized, "wrong name or password")
            }
            SignInError::Throttled { retry_after_secs } => ApiError::new(
                ErrorCode::TooManyAttempts,
                format!(
                    "too many failed sign-ins from this address: try again in {retry_after_secs} s"
                ),
            ),
            SignInError::Store(error) => error.into(),
        }
    }
}

/// Milliseconds since the Unix epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Checks a name and password from `client`; on success makes a session and returns its
/// `Set-Cookie`. The attempt is reserved (and counted as a failure until it succeeds) before
/// the password is checked; unknown and archived names are checked against a dummy hash.
pub async fn sign_in(
    state: &AppState,
    client: &ClientAddr,
    name: &str,
    password: &str,
    headers: &HeaderMap,
) -> Result<(User, HeaderValue), SignInError> {
    let store = state.store();
    let name = name.trim();
    if name.is_empty() || name.len() > 200 || password.len() > 1024 {
        return Err(SignInError::Rejected);
    }
    if let LoginAttempt::Throttled { retry_after_ms } = store
        .reserve_login_attempt(name, &client.0, now_ms())
        .await?
    {
        let retry_after_secs = u64::try_from(retry_after_ms.max(1))
            .unwrap_or(1)
            .div_ceil(1000);
        return Err(SignInError::Throttled { retry_after_secs });
    }
    let found = store
        .user_with_password(name)
        .await?
        .filter(|(user, _)| !user.archived);
    let verified = state
        .passwords()
        .verify(password, found.as_ref().map(|(_, hash)| hash.as_str()))
        .await;
    let Some((user, _)) = found.filter(|_| verified) else {
        return Err(SignInError::Rejected);
    };
    store.login_succeeded(name, &client.0).await?;
    let secret = new_secret("hs_");
    let csrf = new_secret("");
    let expires = rfc3339_from_now(SESSION_HOURS as i64 * 3600);
    store
        .create_session(user.id, &secret_digest(&secret), &csrf, &expires)
        .await?;
    Ok((user, session_cookie(&secret, headers)))
}

/// Hashes a new password on the pool; a failure is logged and answered as a 500.
pub async fn hash_new_password(state: &AppState, password: &str) -> Result<String, ApiError> {
    state.passwords().hash(password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        ApiError::new(ErrorCode::Internal, "the password could not be stored")
    })
}

/// Ends the principal's session (logout).
pub async fn sign_out(store: &Store, principal: &Principal) -> Result<(), ApiError> {
    if let Credentials::Session { digest, .. } = principal.credentials() {
        store.end_session(digest).await?;
    }
    Ok(())
}

/// Changes the principal's password after checking the current one; every session of the
/// account ends and every API token is revoked, and a fresh session is made for this browser.
/// Returns its `Set-Cookie` when the principal came with a session.
pub async fn change_password(
    state: &AppState,
    principal: &Principal,
    current: &str,
    new: &str,
    headers: &HeaderMap,
) -> Result<Option<HeaderValue>, ApiError> {
    let store = state.store();
    let user = principal.user().ok_or_else(ApiError::unauthorized)?;
    let hash = store
        .user_with_password(&user.name)
        .await?
        .map(|(_, hash)| hash);
    if !state.passwords().verify(current, hash.as_deref()).await {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "the current password is wrong",
        ));
    }
    check_new_password(new, &user.name)
        .map_err(|e| ApiError::new(ErrorCode::InvalidInput, e.to_string()))?;
    let new_hash = hash_new_password(state, new).await?;
    store
        .set_password(&principal.actor(), user.id, &new_hash)
        .await?;
    if matches!(principal.credentials(), Credentials::Session { .. }) {
        let secret = new_secret("hs_");
        let csrf = new_secret("");
        let expires = rfc3339_from_now(SESSION_HOURS as i64 * 3600);
        store
            .create_session(user.id, &secret_digest(&secret), &csrf, &expires)
            .await?;
        return Ok(Some(session_cookie(&secret, headers)));
    }
    Ok(None)
}

/// Makes a personal API token for the principal; the secret is returned once.
pub async fn issue_api_token(
    store: &Store,
    principal: &Principal,
    label: &str,
) -> Result<(hrtrack_db::roadmap::ApiToken, String), ApiError> {
    let user = principal.user().ok_or_else(ApiError::unauthorized)?;
    let secret = new_secret("hrt_");
    let token = store
        .create_api_token(&principal.actor(), user.id, label, &secret_digest(&secret))
        .await?;
    Ok((token, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=ru; hrtrack_session=abc"),
        );
        assert_eq!(cookie_value(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value(&headers, "other"), None);
    }

    #[test]
    fn session_cookie_is_secure_behind_tls_only() {
        let mut headers = HeaderMap::new();
        let plain = session_cookie("s", &headers);
        assert!(plain.to_str().unwrap().contains("HttpOnly; SameSite=Lax"));
        assert!(!plain.to_str().unwrap().contains("Secure"));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(
            session_cookie("s", &headers)
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
    }

    #[test]
    fn only_our_own_origin_may_post_the_sign_in() {
        let mut headers = HeaderMap::new();
        assert!(
            same_origin(&headers),
            "no Origin: not a cross-site browser post"
        );
        headers.insert(header::HOST, HeaderValue::from_static("hr.gov.tm:8080"));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://hr.gov.tm:8080"),
        );
        assert!(same_origin(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&headers));
    }

    #[test]
    fn forwarded_for_is_the_client_only_behind_a_trusted_proxy() {
        let peer: SocketAddr = "192.0.2.1:40000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.9"),
        );
        assert_eq!(ClientAddr::of(false, Some(peer), &headers).0, "192.0.2.1");
        assert_eq!(ClientAddr::of(true, Some(peer), &headers).0, "203.0.113.9");
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("not an address"),
        );
        assert_eq!(ClientAddr::of(true, Some(peer), &headers).0, "192.0.2.1");
        assert_eq!(ClientAddr::of(true, None, &HeaderMap::new()).0, "");
    }

    #[test]
    fn csrf_is_checked_for_sessions_only() {
        let session = Principal {
            user: None,
            credentials: Credentials::Session {
                digest: "d".into(),
                csrf: "token".into(),
            },
        };
        assert!(session.check_csrf(Some("token")).is_ok());
        assert_eq!(
            session.check_csrf(Some("other")).unwrap_err().code,
            ErrorCode::CsrfInvalid
        );
        assert_eq!(
            session.check_csrf(None).unwrap_err().code,
            ErrorCode::CsrfInvalid
        );
        assert!(Principal::anonymous().check_csrf(None).is_ok());
    }
}
