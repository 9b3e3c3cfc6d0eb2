//! The usage workers of a process: counted calls flushed to the rollups every few seconds, other
//! processes' cache changes read several times a second, and the billing jobs (usage alerts,
//! closing periods into invoices). At shutdown the last counts are flushed and unspent quota
//! leases given back, so a graceful restart loses nothing.

use std::time::Duration;

use actix_web::web;
use chrono::Utc;
use steward_http::AppState;
use steward_http::routes::billing::service as billing;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy)]
pub struct UsageOptions {
    pub flush: Duration,
    pub poll: Duration,
    pub billing: Duration,
}

pub struct UsageHandle {
    stop: watch::Sender<bool>,
    pub(crate) tasks: Vec<JoinHandle<()>>,
}

impl UsageHandle {
    /// Stops the loops, then flushes what is left and gives back unspent leases.
    pub async fn shutdown(self, state: &AppState) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        for attempt in 1..=3 {
            match state.meter.flush(&state.db).await {
                Ok(_) => break,
                Err(e) => tracing::error!(attempt, error.cause_chain = ?e, "the last usage counts could not be flushed"),
            }
        }
        state.quota.release(&state.db).await;
    }

    pub fn abort(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

pub fn spawn(state: web::Data<AppState>, options: UsageOptions) -> UsageHandle {
    let (stop, stopped) = watch::channel(false);
    let counts = tokio::spawn(counts_loop(state.clone(), options, stopped.clone()));
    let jobs = tokio::spawn(billing_loop(state, options, stopped));
    UsageHandle { stop, tasks: vec![counts, jobs] }
}

async fn counts_loop(state: web::Data<AppState>, o: UsageOptions, mut stop: watch::Receiver<bool>) {
    let mut flush = tokio::time::interval(o.flush);
    let mut poll = tokio::time::interval(o.poll);
    flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = flush.tick() => {
                if let Err(e) = state.meter.flush(&state.db).await {
                    tracing::warn!(error.cause_chain = ?e, "usage counts could not be flushed; they are kept for the next flush");
                }
            }
            _ = poll.tick() => {
                if let Err(e) = state.cache.poll(&state.db).await {
                    tracing::warn!(error.cause_chain = ?e, "other processes' cache changes could not be read");
                }
            }
            _ = stop.changed() => return,
        }
    }
}

async fn billing_loop(state: web::Data<AppState>, o: UsageOptions, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(o.billing) => {}
            _ = stop.changed() => return,
        }
        let now = Utc::now();
        match billing::check_alerts(&state, now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(alerts = n, "usage alerts recorded and their emails queued"),
            Err(e) => tracing::error!(error.cause_chain = ?e, "the usage alert job failed; it runs again at the next interval"),
        }
        match billing::close_periods(&state, now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(invoices = n, "closed billing periods invoiced"),
            Err(e) => tracing::error!(error.cause_chain = ?e, "the invoice job failed; it runs again at the next interval"),
        }
    }
}
