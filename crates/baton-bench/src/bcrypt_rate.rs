//! The login limit: raw bcrypt verifications per second, the same `bcrypt` crate and cost as
//! the server, one verification loop per thread (default: one per core).

use std::error::Error;
use std::time::{Duration, Instant};

/// Options of `baton-bench bcrypt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// bcrypt cost (work factor); Baton's default is 12.
    #[arg(long, default_value_t = 12)]
    cost: u32,
    /// Verification threads; default one per core.
    #[arg(long)]
    threads: Option<usize>,
    /// How long to verify for.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
}

/// Prints `threads`, `cost`, `verifications` and `per_second`.
///
/// Each thread starts verifications until the deadline and records when its last one
/// ended; the rate is the sum of each thread's count over its own elapsed time, so the
/// unfinished tail of a slow hash does not bias it.
pub fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let threads =
        args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let password = "correct horse battery staple";
    let hash = bcrypt::hash(password, args.cost)?;
    let run_for = Duration::from_secs_f64(args.seconds);
    let start = Instant::now();
    let results: Vec<(u64, Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let hash = hash.as_str();
                scope.spawn(move || {
                    let mut count = 0u64;
                    while start.elapsed() < run_for {
                        // A wrong answer would mean a broken measurement, not a slow one.
                        assert!(bcrypt::verify(password, hash).unwrap_or(false));
                        count += 1;
                    }
                    (count, start.elapsed())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("bcrypt thread panicked")).collect()
    });
    let verifications: u64 = results.iter().map(|r| r.0).sum();
    let per_second: f64 = results.iter().map(|(n, t)| *n as f64 / t.as_secs_f64()).sum();
    println!("threads={threads}");
    println!("cost={}", args.cost);
    println!("verifications={verifications}");
    println!("per_second={per_second:.2}");
    Ok(())
}
