//! Server-side sessions and the login throttle. A session is a 256-bit random token in an
//! HttpOnly, SameSite=Strict cookie; the server keeps who it is, when it began and when it
//! was last used. A new token at every login, none kept across a restart, an idle timeout
//! and an absolute lifetime ([web] idle_minutes, session_hours).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

use super::users::Role;

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Session {
    /// Login name.
    pub user: String,
    /// Role at login (re-checked against the accounts file on every request).
    pub role: Role,
    /// When it began.
    pub started: Instant,
    /// The last request.
    pub last: Instant,
}

/// Why a token gives no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Unknown token (never issued, logged out, or the console restarted).
    Unknown,
    /// Idle too long.
    Idle,
    /// Older than the absolute lifetime.
    Expired,
}

/// Every live session.
pub struct Sessions {
    live: Mutex<HashMap<String, Session>>,
    idle: Duration,
    lifetime: Duration,
}

impl Sessions {
    /// No sessions yet.
    pub fn new(idle: Duration, lifetime: Duration) -> Sessions {
        Sessions { live: Mutex::new(HashMap::new()), idle, lifetime }
    }

    /// Starts a session and returns its new token.
    pub fn start(&self, user: &str, role: Role) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill(&mut bytes);
        let token = hex::encode(bytes);
        let now = Instant::now();
        let mut live = self.live.lock().expect("sessions");
        live.retain(|_, s| !self.over(s, now));
        live.insert(token.clone(), Session { user: user.to_string(), role, started: now, last: now });
        token
    }

    /// The session of `token`, marked as used now.
    pub fn touch(&self, token: &str) -> Result<Session, Ended> {
        let now = Instant::now();
        let mut live = self.live.lock().expect("sessions");
        let Some(s) = live.get_mut(token) else {
            return Err(Ended::Unknown);
        };
        let ended = if now.duration_since(s.started) > self.lifetime {
            Some(Ended::Expired)
        } else if now.duration_since(s.last) > self.idle {
            Some(Ended::Idle)
        } else {
            None
        };
        if let Some(why) = ended {
            live.remove(token);
            return Err(why);
        }
        s.last = now;
        Ok(s.clone())
    }

    /// Ends one session (logout).
    pub fn end(&self, token: &str) {
        self.live.lock().expect("sessions").remove(token);
    }

    /// Ends every session of `user` (removed, or role changed).
    pub fn end_user(&self, user: &str) {
        self.live.lock().expect("sessions").retain(|_, s| s.user != user);
    }

    fn over(&self, s: &Session, now: Instant) -> bool {
        now.duration_since(s.started) > self.lifetime || now.duration_since(s.last) > self.idle
    }
}

/// A short, non-reversible label of a token for the audit log (never the token itself).
pub fn label(token: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(token.as_bytes())[..6])
}

/// Failed logins per account and per address, checked before any password is hashed.
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    window: Duration,
}

/// Failures of one account within the window before it is refused.
pub const PER_ACCOUNT: usize = 5;
/// Failures from one address within the window before it is refused.
pub const PER_ADDRESS: usize = 20;

impl Throttle {
    /// Counts failures over `window`.
    pub fn new(window: Duration) -> Throttle {
        Throttle { failures: Mutex::new(HashMap::new()), window }
    }

    /// How long `user` from `ip` must wait before trying again, if at all.
    pub fn wait(&self, user: &str, ip: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut f = self.failures.lock().expect("throttle");
        let mut longest = None;
        for (key, limit) in [(format!("u:{user}"), PER_ACCOUNT), (format!("ip:{ip}"), PER_ADDRESS)] {
            let times = f.entry(key).or_default();
            times.retain(|t| now.duration_since(*t) < self.window);
            if times.len() >= limit {
                let free = self.window - now.duration_since(times[times.len() - limit]);
                longest = longest.max(Some(free));
            }
        }
        longest
    }

    /// Records a failed login.
    pub fn failed(&self, user: &str, ip: &str) {
        let now = Instant::now();
        let mut f = self.failures.lock().expect("throttle");
        f.entry(format!("u:{user}")).or_default().push(now);
        f.entry(format!("ip:{ip}")).or_default().push(now);
    }

    /// Clears an account's failures after it logged in.
    pub fn succeeded(&self, user: &str) {
        self.failures.lock().expect("throttle").remove(&format!("u:{user}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_when_idle_and_at_its_lifetime() {
        let s = Sessions::new(Duration::from_millis(40), Duration::from_secs(60));
        let t = s.start("sato", Role::Viewer);
        assert_eq!(t.len(), 64);
        assert_eq!(s.touch(&t).unwrap().user, "sato");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(s.touch(&t).unwrap_err(), Ended::Idle);
        assert_eq!(s.touch(&t).unwrap_err(), Ended::Unknown, "an ended session stays ended");

        let s = Sessions::new(Duration::from_secs(60), Duration::from_millis(30));
        let t = s.start("sato", Role::Viewer);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(s.touch(&t).unwrap_err(), Ended::Expired);
    }

    #[test]
    fn each_login_gets_a_new_token_and_removal_ends_them_all() {
        let s = Sessions::new(Duration::from_secs(60), Duration::from_secs(60));
        let a = s.start("sato", Role::Admin);
        let b = s.start("sato", Role::Admin);
        assert_ne!(a, b);
        s.end_user("sato");
        assert!(s.touch(&a).is_err() && s.touch(&b).is_err());
    }

    #[test]
    fn the_fifth_failure_locks_the_account_not_others() {
        let t = Throttle::new(Duration::from_secs(900));
        for _ in 0..PER_ACCOUNT {
            assert_eq!(t.wait("sato", "10.0.0.1"), None);
            t.failed("sato", "10.0.0.1");
        }
        assert!(t.wait("sato", "10.0.0.2").is_some_and(|d| d > Duration::from_secs(890)));
        assert_eq!(t.wait("kato", "10.0.0.2"), None);
    }
}
