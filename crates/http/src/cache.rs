//! What every public API call reads, kept in memory: instances by slug (with their time zone,
//! plan, logo's digest and configuration), applications by client id, and verified back-end tokens until they expire.
//!
//! A change that must reach the caches (an instance edited or deleted, an application changed,
//! a signing key rotated, a logo set or removed, a plan changed, a token revoked) goes through [`PublicCache::changed`]:
//! it is applied here at once and recorded in `cache_events`, which every process polls
//! ([`PublicCache::poll`], a few times a second), so the others follow within a second.
//!
//! Invalidation is by generation: each instance has a counter that a change bumps, and a cached
//! entry remembers the counter it was loaded under (read *before* the database), so an entry
//! loaded across a change is never taken as fresh. A revoked token is a *subject* event: only
//! cached verifications of that token are dropped. Entries also age out (`ttl`), which bounds
//! staleness should an event ever be missed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono_tz::Tz;
use steward_domain::config::{PlatformDefaults, Settings};
use steward_domain::usage::{Catalogue, Plan};
use steward_persistence::applications::{self, Application};
use steward_persistence::instances::{self, Instance};
use steward_persistence::{Database, StoreResult, billing, config, now, usage};
use uuid::Uuid;

use crate::auth::instance_tokens::AppClaims;

/// An instance as the public API needs it.
#[derive(Debug)]
pub struct CachedInstance {
    pub instance: Instance,
    pub tz: Tz,
    /// The plan in force (the catalogue's default when the instance never chose one).
    pub plan: Plan,
    /// The logo's SHA-256, when it has one (the branding endpoint's `logo_url`).
    pub logo_sha256: Option<String>,
    /// The configuration in force (password policy, lifetimes, lockout, rate limit...).
    pub settings: Settings,
    epoch: u64,
    loaded: Instant,
}

struct CachedApp {
    app: Arc<Application>,
    generation: u64,
    loaded: Instant,
}

/// A verified back-end (client-credentials) token.
#[derive(Clone)]
pub struct CachedToken {
    pub claims: AppClaims,
    pub app: Arc<Application>,
    instance_id: Uuid,
    generation: u64,
    seq: u64,
}

/// The most tokens kept; past it, expired ones are dropped (and all, if none had expired).
const MAX_TOKENS: usize = 50_000;

pub struct PublicCache {
    ttl: Duration,
    instances: RwLock<HashMap<String, Arc<CachedInstance>>>,
    apps: RwLock<HashMap<(Uuid, String), CachedApp>>,
    tokens: RwLock<HashMap<String, CachedToken>>,
    /// Per instance: bumped by every change of the instance.
    generations: RwLock<HashMap<Uuid, u64>>,
    /// Bumped by every instance change (instances are cached by slug, before their id is known).
    epoch: AtomicU64,
    /// A local sequence: subjects (revoked tokens) remember when they were revoked.
    seq: AtomicU64,
    subjects: RwLock<HashMap<Uuid, (u64, Instant)>>,
    /// Applications' last recorded use, by id (unix seconds): at most one write a minute each.
    touched: RwLock<HashMap<Uuid, Arc<AtomicI64>>>,
    poller: std::sync::Mutex<Poller>,
    catalogue: Arc<Catalogue>,
    defaults: PlatformDefaults,
}

#[derive(Default)]
struct Poller {
    seen: HashSet<i64>,
    order: VecDeque<(i64, Instant)>,
}

/// How far back the poller reads (a transaction may commit an older id after a newer one).
const LOOKBACK_SECS: i64 = 10;

impl PublicCache {
    pub fn new(ttl: Duration, catalogue: Arc<Catalogue>, defaults: PlatformDefaults) -> Self {
        Self {
            ttl,
            instances: RwLock::default(),
            apps: RwLock::default(),
            tokens: RwLock::default(),
            generations: RwLock::default(),
            epoch: AtomicU64::new(0),
            seq: AtomicU64::new(1),
            subjects: RwLock::default(),
            touched: RwLock::default(),
            poller: std::sync::Mutex::default(),
            catalogue,
            defaults,
        }
    }

    /// The operator's defaults of the configuration's built-in entries.
    pub fn platform_defaults(&self) -> PlatformDefaults {
        self.defaults
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    fn generation(&self, instance_id: Uuid) -> u64 {
        self.generations.read().map(|g| g.get(&instance_id).copied().unwrap_or(0)).unwrap_or(u64::MAX)
    }

    /// The instance with this slug, from memory when fresh.
    pub async fn instance(&self, db: &Database, slug: &str) -> StoreResult<Option<Arc<CachedInstance>>> {
        let epoch = self.epoch.load(Ordering::Acquire);
        if let Ok(map) = self.instances.read()
            && let Some(c) = map.get(slug)
            && c.epoch == epoch
            && c.loaded.elapsed() < self.ttl
        {
            return Ok(Some(c.clone()));
        }
        let Some(instance) = instances::by_slug(db, slug).await? else { return Ok(None) };
        let changes = billing::plan_changes(db, instance.id).await?;
        let plan = self.catalogue.resolve(changes.last().map(|c| c.plan_key.as_str())).clone();
        let tz = instance.time_zone.parse::<Tz>().unwrap_or(Tz::UTC);
        let logo_sha256 = steward_persistence::branding::logo_facts(db, instance.id).await?.map(|l| l.sha256);
        let settings = Settings::resolve(&self.defaults, &config::as_values(&config::entries(db, instance.id).await?));
        let cached = Arc::new(CachedInstance { instance, tz, plan, logo_sha256, settings, epoch, loaded: Instant::now() });
        if let Ok(mut map) = self.instances.write() {
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(slug.to_owned(), cached.clone());
        }
        Ok(Some(cached))
    }

    /// The instance row with this slug (a copy of the cached one).
    pub async fn instance_row(&self, db: &Database, slug: &str) -> StoreResult<Option<Instance>> {
        Ok(self.instance(db, slug).await?.map(|c| c.instance.clone()))
    }

    /// The application with `client_id` on the instance (enabled or not), from memory when fresh.
    pub async fn application(&self, db: &Database, instance_id: Uuid, client_id: &str) -> StoreResult<Option<Arc<Application>>> {
        let generation = self.generation(instance_id);
        let key = (instance_id, client_id.to_owned());
        if let Ok(map) = self.apps.read()
            && let Some(c) = map.get(&key)
            && c.generation == generation
            && c.loaded.elapsed() < self.ttl
        {
            return Ok(Some(c.app.clone()));
        }
        let Some(app) = applications::by_client_id(db, instance_id, client_id).await? else { return Ok(None) };
        let app = Arc::new(app);
        if let Ok(mut map) = self.apps.write() {
            if map.len() > 50_000 {
                map.clear();
            }
            map.insert(key, CachedApp { app: app.clone(), generation, loaded: Instant::now() });
        }
        Ok(Some(app))
    }

    /// Records that `app` was used, at most once a minute per application and process.
    pub async fn touch(&self, db: &Database, app: &Application) -> StoreResult<()> {
        let at = chrono::Utc::now().timestamp();
        let slot = {
            let found = self.touched.read().ok().and_then(|m| m.get(&app.id).cloned());
            match found {
                Some(s) => s,
                None => {
                    let initial = app.last_used_at.map_or(0, |t| t.timestamp());
                    let Ok(mut m) = self.touched.write() else { return Ok(()) };
                    if m.len() > 50_000 {
                        m.clear();
                    }
                    m.entry(app.id).or_insert_with(|| Arc::new(AtomicI64::new(initial))).clone()
                }
            }
        };
        let last = slot.load(Ordering::Relaxed);
        if at - last < 60 || slot.compare_exchange(last, at, Ordering::AcqRel, Ordering::Relaxed).is_err() {
            return Ok(());
        }
        applications::touch(db, app).await
    }

    /// A verified client-credentials token of the instance, if cached and still good.
    pub fn token(&self, instance_id: Uuid, token: &str) -> Option<CachedToken> {
        let generation = self.generation(instance_id);
        let found = self.tokens.read().ok()?.get(token).cloned()?;
        if found.instance_id != instance_id || found.generation != generation || found.claims.exp <= chrono::Utc::now().timestamp() {
            return None;
        }
        if let Ok(subjects) = self.subjects.read()
            && subjects.get(&found.claims.jti).is_some_and(|(s, _)| *s >= found.seq)
        {
            return None;
        }
        Some(found)
    }

    /// Where a verification starts: the generation and sequence to remember it under.
    pub fn mark(&self, instance_id: Uuid) -> (u64, u64) {
        (self.generation(instance_id), self.seq.fetch_add(1, Ordering::AcqRel))
    }

    /// Keeps a verified client-credentials token (`mark` read before verifying it).
    pub fn keep_token(&self, token: &str, instance_id: Uuid, mark: (u64, u64), claims: AppClaims, app: Arc<Application>) {
        let Ok(mut map) = self.tokens.write() else { return };
        if map.len() >= MAX_TOKENS {
            let at = chrono::Utc::now().timestamp();
            map.retain(|_, t| t.claims.exp > at);
            if map.len() >= MAX_TOKENS {
                map.clear();
            }
        }
        map.insert(token.to_owned(), CachedToken { claims, app, instance_id, generation: mark.0, seq: mark.1 });
    }

    /// Applies a change here: everything of the instance (`subject` `None`) or what was cached
    /// about one token.
    pub fn apply(&self, instance_id: Uuid, subject: Option<Uuid>) {
        match subject {
            None => {
                if let Ok(mut g) = self.generations.write() {
                    *g.entry(instance_id).or_insert(0) += 1;
                }
                self.epoch.fetch_add(1, Ordering::AcqRel);
            }
            Some(s) => {
                let seq = self.seq.fetch_add(1, Ordering::AcqRel);
                if let Ok(mut m) = self.subjects.write() {
                    // Tokens live minutes: a revocation older than a day matters to none.
                    if m.len() > 10_000 {
                        m.retain(|_, (_, at)| at.elapsed() < Duration::from_secs(86_400));
                    }
                    m.insert(s, (seq, Instant::now()));
                }
            }
        }
    }

    /// Records a change for every process (this one included, at its next poll) inside the
    /// change's transaction; the caller [`apply`](Self::apply)s it here after the commit.
    pub async fn record(&self, db: &impl steward_persistence::ConnectionTrait, instance_id: Uuid) -> StoreResult<()> {
        usage::record_cache_event(db, instance_id, None).await
    }

    /// A change made by this process: applied here at once, recorded for the others.
    pub async fn changed(&self, db: &impl steward_persistence::ConnectionTrait, instance_id: Uuid, subject: Option<Uuid>) -> StoreResult<()> {
        self.apply(instance_id, subject);
        usage::record_cache_event(db, instance_id, subject).await
    }

    /// Reads the events other processes recorded and applies those not seen yet. Returns how
    /// many were applied.
    pub async fn poll(&self, db: &Database) -> StoreResult<usize> {
        let since = now() - chrono::Duration::seconds(LOOKBACK_SECS);
        let events = usage::cache_events_since(db, since).await?;
        let Ok(mut p) = self.poller.lock() else { return Ok(0) };
        let mut applied = 0;
        for e in events {
            if p.seen.insert(e.id) {
                p.order.push_back((e.id, Instant::now()));
                // Applied again even when this process made it: harmless, and simpler than
                // telling them apart.
                self.apply(e.instance_id, e.subject);
                applied += 1;
            }
        }
        let keep = Duration::from_secs(LOOKBACK_SECS as u64 * 3);
        while p.order.front().is_some_and(|(_, at)| at.elapsed() > keep) {
            if let Some((id, _)) = p.order.pop_front() {
                p.seen.remove(&id);
            }
        }
        Ok(applied)
    }
}
