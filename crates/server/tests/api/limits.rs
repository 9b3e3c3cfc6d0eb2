//! Limits that hold across processes: counters in the database, counted atomically.

use std::collections::BTreeSet;

use steward_persistence::rate_counters;

use crate::db_tests;
use crate::helpers::TestApp;

/// 200 concurrent hits on one counter get 200 distinct counts: no two read the same value.
async fn counters_count_atomically(app: TestApp) {
    let db = app.state.db.clone();
    let first = rate_counters::hit(&db, "test:key", 60).await.expect("first hit");
    assert_eq!(first.count, 1);
    let again = rate_counters::hit(&db, "test:key", 60).await.expect("second hit");
    assert_eq!(again.count, 2);
    assert_eq!(again.window_ends, first.window_ends, "same window");
    assert!((1..=60).contains(&again.retry_after_secs()));
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { rate_counters::hit(&db, "test:concurrent", 60).await.expect("hit").count })
        })
        .collect();
    let mut counts = BTreeSet::new();
    for t in tasks {
        counts.insert(t.await.unwrap());
    }
    assert_eq!(counts, (1..=200).collect::<BTreeSet<i64>>());
    // A window that has ended starts again at 1.
    let fresh = rate_counters::hit(&db, "test:short", 1).await.unwrap();
    assert_eq!(fresh.count, 1);
    rate_counters::clear(&db, "test:key").await.unwrap();
    assert_eq!(rate_counters::hit(&db, "test:key", 60).await.unwrap().count, 1);
}

db_tests!(counters_count_atomically);
