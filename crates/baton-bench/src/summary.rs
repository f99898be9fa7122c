//! The `ops`, `per_second`, `p50_ms`, `p99_ms` and `failed` lines that `bench/run.sh` reads,
//! from what each load thread of `sqlite-limit` and `ladder` recorded.

use std::time::Duration;

/// Prints the summary of `results` (each thread's latencies, or why it stopped) over
/// `elapsed`; `tool` names the subcommand in the message of a stopped thread.
pub fn print(tool: &str, results: Vec<Result<Vec<Duration>, String>>, elapsed: Duration) {
    let mut latencies = Vec::new();
    let mut failed = 0;
    for result in results {
        match result {
            Ok(l) => latencies.extend(l),
            Err(e) => {
                failed += 1;
                eprintln!("baton-bench {tool}: a thread stopped: {e}");
            }
        }
    }
    latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!("ops={}", latencies.len());
    println!("per_second={:.1}", latencies.len() as f64 / elapsed.as_secs_f64());
    println!("p50_ms={:.3}", pct(0.50));
    println!("p99_ms={:.3}", pct(0.99));
    println!("failed={failed}");
}
