//! A per-key sliding-window limit kept in memory, for actions that are costly or reach outside
//! (the SMTP test connects to a host the caller names). Each process counts on its own: with N
//! processes the effective limit is N times the setting, which is enough to stop a loop or a
//! script, the purpose here. Limits that must hold across processes live in the database (the
//! sign-in lock).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

pub struct Throttle {
    limit: usize,
    window: Duration,
    hits: Mutex<HashMap<Uuid, VecDeque<Instant>>>,
}

impl Throttle {
    /// At most `limit` (at least 1) actions per key within any `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit: limit.max(1) as usize, window, hits: Mutex::new(HashMap::new()) }
    }

    /// Counts one action for `key`, or refuses it with the whole seconds until one is allowed.
    pub fn check(&self, key: Uuid) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: Uuid, now: Instant) -> Result<(), u64> {
        let mut hits = self.hits.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Forget keys idle for a whole window, so the map only holds recent actors.
        hits.retain(|_, times| times.back().is_some_and(|last| now.duration_since(*last) < self.window));
        let times = hits.entry(key).or_default();
        while times.front().is_some_and(|first| now.duration_since(*first) >= self.window) {
            times.pop_front();
        }
        if times.len() >= self.limit {
            let oldest = *times.front().expect("at least one hit when over the limit");
            let wait = self.window.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        times.push_back(now);
        Ok(())
    }
}

/// A wait in seconds as people say it: "45 seconds", "12 minutes".
pub fn in_words(secs: u64) -> String {
    match secs {
        1 => "1 second".to_owned(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_until_the_window_moves_on() {
        let t = Throttle::new(2, Duration::from_secs(60));
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let start = Instant::now();
        assert_eq!(t.check_at(a, start), Ok(()));
        assert_eq!(t.check_at(a, start + Duration::from_secs(10)), Ok(()));
        assert_eq!(t.check_at(a, start + Duration::from_secs(20)), Err(40), "wait for the first to age out");
        assert_eq!(t.check_at(b, start + Duration::from_secs(20)), Ok(()), "keys are counted apart");
        assert_eq!(t.check_at(a, start + Duration::from_secs(60)), Ok(()), "the first aged out");
        assert_eq!(t.check_at(a, start + Duration::from_secs(61)), Err(9));
    }

    #[test]
    fn idle_keys_are_forgotten() {
        let t = Throttle::new(1, Duration::from_secs(1));
        let start = Instant::now();
        for i in 0..1000 {
            t.check_at(Uuid::from_u128(i), start).unwrap();
        }
        t.check_at(Uuid::from_u128(5000), start + Duration::from_secs(2)).unwrap();
        assert_eq!(t.hits.lock().unwrap().len(), 1);
    }
}
