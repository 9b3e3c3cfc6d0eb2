//! The webhook worker: delivers recorded events to their endpoints, in order per endpoint, at
//! least once, the Standard Webhooks way (see `steward_http::webhooks`).
//!
//! Each pass asks for endpoints with a due delivery that no process is working, leases each
//! (one process at a time works an endpoint, so the order holds across processes) and runs it
//! in its own task: deliveries go one after the other, oldest first; a failure schedules a retry
//! and stops the endpoint's line until then (later events wait: order before speed); after the
//! last retry the delivery has failed and the next goes. Every call has a timeout, redirects are
//! not followed, and the egress policy applies to the address actually connected to. Tasks are
//! bounded overall and per instance, so one tenant's hanging endpoints delay only themselves.
//! An endpoint failing for longer than `disable_after` is turned off and its owners emailed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use steward_domain::webhook::DeliveryStatus;
use steward_http::webhooks::{message_id, sign};
use steward_persistence::crypto::SecretCipher;
use steward_persistence::webhooks::{self, Delivery, Endpoint, Event, Outcome};
use steward_persistence::{Database, members, now};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use uuid::Uuid;

/// Recorded events turned into deliveries per transaction.
const FAN_OUT_BATCH: u64 = 500;

/// How much of an answer's body is kept.
const EXCERPT_BYTES: usize = 1024;

#[derive(Debug, Clone)]
pub struct WebhookOptions {
    /// Per delivery: connect, send and answer.
    pub timeout: Duration,
    /// Delays before each retry; after the last, the delivery has failed.
    pub retry_schedule: Vec<Duration>,
    pub disable_after: chrono::Duration,
    pub poll: Duration,
    /// Endpoints worked at once by this process, and per instance.
    pub max_endpoints: usize,
    pub max_per_instance: usize,
    /// Deliveries read (and recorded) at once per endpoint.
    pub batch: u64,
    pub lease_secs: i64,
    /// After being woken, how long to let events gather before delivering: fewer, larger
    /// transactions under a stream of changes (the database's writer is shared with the API).
    pub gather: Duration,
}

#[derive(Clone)]
pub struct WebhookWorker {
    pub db: Database,
    pub cipher: SecretCipher,
    pub egress: steward_mail::Egress,
    pub options: WebhookOptions,
}

pub struct WebhookHandle {
    pub task: tokio::task::JoinHandle<()>,
    stop: watch::Sender<bool>,
}

impl WebhookHandle {
    /// Stops taking endpoints; deliveries under way finish (each is bounded by the timeout).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl WebhookWorker {
    fn client(&self) -> anyhow::Result<reqwest::Client> {
        // The whole delivery is bounded by `post` (which says so in the attempt's error).
        steward_http::outbound::client(self.egress, self.options.timeout, concat!("Steward-Webhooks/", env!("CARGO_PKG_VERSION")))
    }

    /// Starts delivering; with `deliver` false (an API-only process) the task only waits to stop.
    pub fn spawn(self, wakeup: Arc<Notify>, deliver: bool) -> anyhow::Result<WebhookHandle> {
        let client = self.client()?;
        let (stop, mut stopped) = watch::channel(false);
        let task = if deliver {
            tokio::spawn(self.run(client, wakeup, stopped))
        } else {
            tokio::spawn(async move {
                let _ = stopped.changed().await;
            })
        };
        Ok(WebhookHandle { task, stop })
    }

    async fn run(self, client: reqwest::Client, wakeup: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
        let mut tasks: JoinSet<Uuid> = JoinSet::new();
        // Endpoint → its instance, for those this process is working.
        let mut running: HashMap<Uuid, Uuid> = HashMap::new();
        loop {
            if *stopped.borrow() {
                break;
            }
            // Events recorded with their changes become deliveries here (500 at a time).
            loop {
                match webhooks::fan_out(&self.db, FAN_OUT_BATCH).await {
                    Ok(n) if n == FAN_OUT_BATCH && !*stopped.borrow() => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not fan webhook events out");
                        break;
                    }
                }
            }
            let free = self.options.max_endpoints.saturating_sub(running.len());
            if free > 0 {
                match webhooks::due_endpoints(&self.db, free as u64).await {
                    Ok(due) => {
                        for (endpoint_id, instance_id) in due {
                            let per_instance = running.values().filter(|i| **i == instance_id).count();
                            if running.contains_key(&endpoint_id)
                                || per_instance >= self.options.max_per_instance
                                || running.len() >= self.options.max_endpoints
                            {
                                continue;
                            }
                            let token = Uuid::now_v7();
                            match webhooks::lease(&self.db, endpoint_id, token, self.options.lease_secs).await {
                                Ok(true) => {
                                    running.insert(endpoint_id, instance_id);
                                    let (worker, client, stopped) = (self.clone(), client.clone(), stopped.clone());
                                    tasks.spawn(async move {
                                        worker.work_endpoint(&client, endpoint_id, token, stopped).await;
                                        endpoint_id
                                    });
                                }
                                Ok(false) => {}
                                Err(e) => tracing::warn!(error = %e, "could not lease a webhook endpoint"),
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not look for due webhook deliveries"),
                }
            }
            tokio::select! {
                _ = wakeup.notified() => tokio::time::sleep(self.options.gather).await,
                _ = tokio::time::sleep(self.options.poll) => {}
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Ok(id) = done { running.remove(&id); }
                    while let Some(Ok(id)) = tasks.try_join_next() { running.remove(&id); }
                }
                _ = stopped.changed() => {}
            }
            while let Some(Ok(id)) = tasks.try_join_next() {
                running.remove(&id);
            }
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Works one leased endpoint's line until it is empty, waiting for a retry, or stopped.
    async fn work_endpoint(&self, client: &reqwest::Client, endpoint_id: Uuid, token: Uuid, stopped: watch::Receiver<bool>) {
        if let Err(e) = self.work_endpoint_inner(client, endpoint_id, token, stopped).await {
            tracing::warn!(endpoint_id = %endpoint_id, error = ?e, "webhook endpoint run failed");
        }
        if let Err(e) = webhooks::release(&self.db, endpoint_id, token).await {
            tracing::warn!(endpoint_id = %endpoint_id, error = %e, "could not release a webhook endpoint");
        }
    }

    async fn work_endpoint_inner(&self, client: &reqwest::Client, endpoint_id: Uuid, token: Uuid, stopped: watch::Receiver<bool>) -> anyhow::Result<()> {
        // The lease was just taken.
        let mut renewed = Instant::now();
        loop {
            if *stopped.borrow() {
                return Ok(());
            }
            let Some(endpoint) = webhooks::endpoint(&self.db, endpoint_id).await?.filter(|e| e.enabled) else { return Ok(()) };
            let secrets = self.secrets(&endpoint)?;
            let line = webhooks::next_in_line(&self.db, endpoint_id, self.options.batch).await?;
            if line.is_empty() {
                return Ok(());
            }
            let mut outcomes = Vec::with_capacity(line.len());
            let mut waiting = false;
            for (delivery, event) in &line {
                if delivery.next_attempt_at > now() || *stopped.borrow() {
                    waiting = true;
                    break;
                }
                // The lease must outlive every delivery made under it: renewed well before it
                // ends, and a lost lease stops the run (another process has the line now).
                if renewed.elapsed() > Duration::from_secs((self.options.lease_secs / 3).max(1) as u64) {
                    if !webhooks::lease(&self.db, endpoint_id, token, self.options.lease_secs).await? {
                        waiting = true;
                        break;
                    }
                    renewed = Instant::now();
                }
                let outcome = self.deliver(client, &endpoint, &secrets, delivery, event).await;
                let retrying = outcome.status == DeliveryStatus::Pending;
                outcomes.push(outcome);
                if retrying {
                    waiting = true;
                    break;
                }
            }
            webhooks::record_outcomes(&self.db, &outcomes).await?;
            self.note_health(&endpoint, &outcomes).await?;
            if waiting {
                return Ok(());
            }
            if renewed.elapsed() > Duration::from_secs((self.options.lease_secs / 3).max(1) as u64) {
                if !webhooks::lease(&self.db, endpoint_id, token, self.options.lease_secs).await? {
                    return Ok(());
                }
                renewed = Instant::now();
            }
        }
    }

    /// The endpoint's signing secrets: the current one, and the previous during its grace.
    fn secrets(&self, endpoint: &Endpoint) -> anyhow::Result<Vec<String>> {
        let aad = format!("webhook-secret/{}", endpoint.instance_id);
        let open = |enc: &str| -> anyhow::Result<String> { Ok(String::from_utf8(self.cipher.decrypt(enc, &aad)?)?) };
        let mut secrets = vec![open(&endpoint.secret_encrypted)?];
        if let (Some(prev), Some(until)) = (&endpoint.previous_secret_encrypted, endpoint.previous_secret_expires_at)
            && until > now()
        {
            secrets.push(open(prev)?);
        }
        Ok(secrets)
    }

    async fn deliver(&self, client: &reqwest::Client, endpoint: &Endpoint, secrets: &[String], delivery: &Delivery, event: &Event) -> Outcome {
        let attempt = delivery.attempts + 1;
        let at = now();
        let started = Instant::now();
        let result = self.post(client, endpoint, secrets, event).await;
        let latency_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let (status_code, response_excerpt, error) = match result {
            Ok((status, excerpt)) if (200..300).contains(&status) => (Some(i32::from(status)), excerpt, None),
            Ok((status, excerpt)) => (Some(i32::from(status)), excerpt, Some(format!("The endpoint answered HTTP {status}."))),
            Err(why) => (None, None, Some(why)),
        };
        let (status, retry_at) = if error.is_none() {
            (DeliveryStatus::Succeeded, None)
        } else {
            match self.options.retry_schedule.get(delivery.attempts as usize) {
                Some(delay) => (DeliveryStatus::Pending, Some(at + chrono::Duration::from_std(*delay).unwrap_or_default())),
                None => (DeliveryStatus::Failed, None),
            }
        };
        if let Some(e) = &error {
            tracing::info!(endpoint_id = %endpoint.id, delivery_id = %delivery.id, attempt, error = %e, "webhook delivery failed");
        }
        Outcome { delivery_id: delivery.id, attempt, at, status_code, latency_ms, response_excerpt, error, status, retry_at }
    }

    /// POSTs the event; the answer's status and the start of its body, or why there is none.
    async fn post(&self, client: &reqwest::Client, endpoint: &Endpoint, secrets: &[String], event: &Event) -> Result<(u16, Option<String>), String> {
        let url = reqwest::Url::parse(&endpoint.url).map_err(|_| "The endpoint's URL is not valid.".to_owned())?;
        // An address literal is not resolved, so the policy is checked here.
        self.egress.check_literal(url.host_str().unwrap_or_default())?;
        let body = serde_json::to_vec(&event.payload).map_err(|e| format!("The event could not be encoded: {e}"))?;
        let id = message_id(event.id);
        let timestamp = chrono::Utc::now().timestamp();
        let signature: Vec<String> = secrets.iter().filter_map(|s| sign(s, &id, timestamp, &body)).collect();
        let send = async {
            let mut res = client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("webhook-id", &id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", signature.join(" "))
                .body(body)
                .send()
                .await
                .map_err(|e| steward_http::outbound::describe(&e))?;
            let status = res.status().as_u16();
            // Only the start of the answer is read.
            let mut excerpt: Vec<u8> = Vec::new();
            while excerpt.len() < EXCERPT_BYTES {
                match res.chunk().await {
                    Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk[..chunk.len().min(EXCERPT_BYTES - excerpt.len())]),
                    _ => break,
                }
            }
            let excerpt = (!excerpt.is_empty()).then(|| String::from_utf8_lossy(&excerpt).into_owned());
            Ok::<_, String>((status, excerpt))
        };
        match tokio::time::timeout(self.options.timeout, send).await {
            Ok(result) => result,
            Err(_) => Err(format!("No answer within {} s.", self.options.timeout.as_secs())),
        }
    }

    /// After a run: a success ends the endpoint's failing streak; a failure starts one (or, when
    /// it has lasted too long, turns the endpoint off and emails the instance's owners).
    async fn note_health(&self, endpoint: &Endpoint, outcomes: &[Outcome]) -> anyhow::Result<()> {
        let Some(last) = outcomes.last() else { return Ok(()) };
        let failing = last.status != DeliveryStatus::Succeeded;
        if !failing && endpoint.failing_since.is_none() {
            return Ok(());
        }
        let Some(stored) = webhooks::set_health(&self.db, endpoint.id, failing).await? else { return Ok(()) };
        let too_long = stored.failing_since.is_some_and(|since| now() - since >= self.options.disable_after);
        if failing && too_long {
            let days = self.options.disable_after.num_hours() as f64 / 24.0;
            let reason = format!("Every delivery failed for {days:.1} days; the last: {}", last.error.as_deref().unwrap_or("unknown"));
            if webhooks::disable(&self.db, endpoint.id, &reason).await? {
                tracing::warn!(endpoint_id = %endpoint.id, "webhook endpoint turned off after failing too long");
                self.tell_owners(&stored, &reason).await?;
            }
        }
        Ok(())
    }

    async fn tell_owners(&self, endpoint: &Endpoint, reason: &str) -> anyhow::Result<()> {
        let Some(instance) = steward_persistence::instances::get(&self.db, endpoint.instance_id).await? else { return Ok(()) };
        let owners = members::list(&self.db, instance.id, 100, None).await?;
        let change = format!(
            "The webhook endpoint {} of instance {} was turned off. {reason}. Turn it on again in the console once it answers",
            endpoint.url, instance.name
        );
        for owner in owners.items.iter().filter(|m| m.role == steward_domain::Role::Owner) {
            steward_http::emails::queue_account_notice(&self.db, owner.account_id, &owner.email, &change).await?;
        }
        Ok(())
    }
}
