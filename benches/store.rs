//! Saving one complete `byt-ngoai-tru` response durably, against a bare `write + fsync` of the
//! same number of bytes on the same disk, in the same run.
//!
//! Target (issue 2): the median save is within 2× of the bare write + fsync.

use std::io::Write;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hailong::store::{Store, canonical_bytes};
use hailong::survey::demo::{DemoOptions, generate};
use hailong::survey::{Catalog, Response, ResponseId, Status};

fn complete_responses(n: usize) -> Vec<Response> {
    let catalog = Catalog::built_in();
    let q = catalog.latest("byt-ngoai-tru").unwrap();
    let opts = DemoOptions {
        responses: n,
        seed: 42,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        departments: vec![],
        tz: chrono_tz::Asia::Ho_Chi_Minh,
    };
    let mut out = Vec::new();
    generate(q, &opts, |r| {
        if r.status == Status::Complete && !r.rapid_repeat {
            out.push(r);
        }
    });
    out
}

fn save(c: &mut Criterion) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let catalog = Catalog::built_in();
    let q = catalog.latest("byt-ngoai-tru").unwrap().clone();
    let responses = complete_responses(2000);
    let size = canonical_bytes(1, "kiosk", &responses[0]).len();

    let mut group = c.benchmark_group("durable_save_byt_ngoai_tru");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.path().join("bare.log"))
        .unwrap();
    let payload = vec![b'x'; size];
    group.bench_function(format!("bare_write_fsync_{size}_bytes"), |b| {
        b.iter(|| {
            file.write_all(&payload).unwrap();
            file.sync_data().unwrap();
        })
    });

    let mut store = Store::open(&dir.path().join("bench.sqlite3"), chrono_tz::Asia::Ho_Chi_Minh).unwrap();
    let mut i = 0;
    group.bench_function("store_save", |b| {
        b.iter(|| {
            let mut r = responses[i % responses.len()].clone();
            r.id = ResponseId::new();
            i += 1;
            store.save(&q, &r).unwrap()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).measurement_time(std::time::Duration::from_secs(8));
    targets = save
}
criterion_main!(benches);
