//! `cargo xtask bench cli`: the `wirelens` command against `protoc`, whole processes, on the
//! criterion benches' 1 MiB page of users: wall time (median of [`RUNS`]), CPU time (user and
//! system, which other processes on a busy machine slow down less) and peak memory (the child's
//! `ru_utime`, `ru_stime` and `ru_maxrss`, from wait4(2)) of `annotate --output protoscope` beside
//! `protoc --decode_raw`, and with the schema beside `protoc --decode=bench.UserPage`; the default
//! listing; then the same, with the schema and without, on 1 MiB corpora of one record shape each
//! (dense ints, blobs, short strings, tiny nested messages…) and on a descriptor set of the
//! repository's `.proto` files (a ratio to protoc per corpus, the commands run in turns); then a stream of length-delimited users of [`STREAM_MIB`] MiB through
//! `annotate --delimited`, fed through a pipe as it is read, with the schema and without. Knows
//! the commands; the inputs come from wirelens-bench's `cli_inputs` example.

use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::bench_server::{build_with, profile_args};
use crate::setup::{self, Tool};
use crate::util;

/// Runs of each command; the median is reported.
const RUNS: usize = 5;
/// Runs of each command on each corpus shape, in turns (short runs: more of them).
const SHAPE_RUNS: usize = 11;
/// The size of the delimited stream, in MiB (the 1 MiB of users repeated).
const STREAM_MIB: usize = 1024;

pub fn run() -> Result<()> {
    // protoc, with protobuf's own `.proto` files among its includes (the descriptor set's schema).
    let tools = [Tool::Protoc, Tool::LibprotobufDev];
    setup::run(&tools).require(&tools)?;
    // Two builds: `--example` would select the example alone in every package named.
    let mut built = build_with(profile_args("bench", &["-p", "wirelens-cli", "--bin", "wirelens"]))?;
    built.extend(build_with(profile_args("bench", &["-p", "wirelens-bench", "--example", "cli_inputs"]))?);
    let find =
        |name: &str| built.iter().find(|p| p.ends_with(name)).cloned().with_context(|| format!("no {name} built"));
    let (wirelens, inputs) = (find("wirelens")?, find("cli_inputs")?);
    let dir = util::root().join("target").join("bench-cli");
    std::fs::create_dir_all(&dir).context("creating target/bench-cli")?;
    util::run(Command::new(&inputs).arg(&dir)).context("writing the inputs")?;
    let batch = dir.join("batch.bin");
    let size = std::fs::metadata(&batch)?.len();
    // Every command runs in the repository's root.
    let schema = ["-I", "proto", "--proto", "proto/bench/bench.proto", "--type", "bench.UserPage"];
    let protoc_schema = ["-I", "proto", "--decode=bench.UserPage", "bench/bench.proto"];

    println!("\nwhole processes on {} ({size} bytes), median of {RUNS} runs:\n", batch.display());
    println!("| command | time | MB/s | CPU time | peak memory |\n|---|---:|---:|---:|---:|");
    let raw = measure("protoc --decode_raw", Command::new("protoc").arg("--decode_raw"), &batch, size)?;
    let ours_raw = measure(
        "wirelens annotate --input raw --output protoscope",
        Command::new(&wirelens).args(["annotate", "--input", "raw", "--output", "protoscope"]),
        &batch,
        size,
    )?;
    let typed = measure("protoc --decode=bench.UserPage", Command::new("protoc").args(protoc_schema), &batch, size)?;
    let ours_typed = measure(
        "wirelens annotate --input raw --output protoscope (schema)",
        Command::new(&wirelens).args(["annotate", "--input", "raw", "--output", "protoscope"]).args(schema),
        &batch,
        size,
    )?;
    measure(
        "wirelens annotate --input raw (schema, the listing)",
        Command::new(&wirelens).args(["annotate", "--input", "raw"]).args(schema),
        &batch,
        size,
    )?;
    println!();
    let ratio = |ours: (Duration, Duration), theirs: (Duration, Duration)| {
        (ours.0.as_secs_f64() / theirs.0.as_secs_f64(), ours.1.as_secs_f64() / theirs.1.as_secs_f64())
    };
    let (time, cpu) = ratio(ours_raw, raw);
    println!("without a schema: {time:.2} times protoc's time, {cpu:.2} times its CPU time");
    let (time, cpu) = ratio(ours_typed, typed);
    println!("with the schema:  {time:.2} times protoc's time, {cpu:.2} times its CPU time");

    shapes(&dir, &wirelens)?;

    let users = std::fs::read(dir.join("users.delimited")).context("reading users.delimited")?;
    let user = ["-I", "proto", "--proto", "proto/userservice/user.proto", "--type", "userservice.User"];
    stream(&wirelens, &users, &user, "userservice.User")?;
    stream(&wirelens, &users, &[], "no schema")
}

/// [`STREAM_MIB`] MiB of `users` (length-delimited) through `annotate --delimited --output
/// protoscope` with `schema` (arguments), fed through a pipe as it is read: wall and CPU time
/// and peak memory.
fn stream(wirelens: &Path, users: &[u8], schema: &[&str], name: &str) -> Result<()> {
    let repeats = (STREAM_MIB << 20).div_ceil(users.len());
    let total = (users.len() * repeats) as u64;
    println!("\nannotate --delimited --output protoscope, {name}, {total} bytes through a pipe:");
    let mut child = Command::new(wirelens)
        .args(["annotate", "--input", "raw", "--delimited", "--output", "protoscope"])
        .args(schema)
        .current_dir(util::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("starting wirelens")?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    let users = users.to_vec();
    let start = Instant::now();
    let feeder = std::thread::spawn(move || {
        for _ in 0..repeats {
            if stdin.write_all(&users).is_err() {
                break;
            }
        }
    });
    let (ok, peak, cpu) = wait(child.id())?;
    let elapsed = start.elapsed();
    let _ = feeder.join();
    if !ok {
        bail!("wirelens annotate --delimited failed");
    }
    println!(
        "  {elapsed:.2?}, {:.0} MB/s; CPU time {cpu:.2?} ({:.0} MB/s of CPU); peak memory {:.1} MiB",
        mb_per_s(total, elapsed),
        mb_per_s(total, cpu),
        mib(peak)
    );
    Ok(())
}

/// `annotate --output protoscope` against `protoc --decode_raw` on each corpus of `dir`'s
/// `shapes.tsv` (name, schema file, message type), and with the schema against `protoc
/// --decode=TYPE`, in turns: the medians of their CPU times and the ratios.
fn shapes(dir: &Path, wirelens: &Path) -> Result<()> {
    let manifest = std::fs::read_to_string(dir.join("shapes.tsv")).context("reading shapes.tsv")?;
    println!(
        "\n1 MiB corpora of one record shape each (and a descriptor set of the repository's .proto files with \
         their comments), CPU time, median of {SHAPE_RUNS} runs in turns:\n"
    );
    println!(
        "| shape | `--decode_raw` | wirelens | ratio | `--decode=TYPE` | wirelens, schema | ratio |\n\
         |---|---:|---:|---:|---:|---:|---:|"
    );
    let include = dir.to_str().context("a path that is not UTF-8")?;
    for line in manifest.lines() {
        let [name, file, message] = line.split('\t').collect::<Vec<_>>()[..] else {
            bail!("shapes.tsv: not name, file and type: {line:?}")
        };
        let path = dir.join(format!("shape-{name}.bin"));
        let annotate = ["annotate", "--input", "raw", "--output", "protoscope"];
        let schema = dir.join(file);
        let schema = ["-I", include, "--proto", schema.to_str().unwrap_or_default(), "--type", message];
        let decode = format!("--decode={message}");
        let mut commands =
            [Command::new("protoc"), Command::new(wirelens), Command::new("protoc"), Command::new(wirelens)];
        commands[0].arg("--decode_raw");
        commands[1].args(annotate);
        commands[2].args(["-I", include, &decode, file]);
        commands[3].args(annotate).args(schema);
        let mut cpu = [const { Vec::new() }; 4];
        for _ in 0..SHAPE_RUNS {
            for (command, times) in commands.iter_mut().zip(&mut cpu) {
                let program = command.get_program().to_string_lossy().into_owned();
                times.push(run_once(command, &path, &program)?.1);
            }
        }
        let [raw, ours, typed, ours_typed] = cpu.map(|mut times| {
            times.sort();
            times[times.len() / 2]
        });
        let ratio = |ours: Duration, theirs: Duration| ours.as_secs_f64() / theirs.as_secs_f64();
        println!(
            "| {name} | {raw:.1?} | {ours:.1?} | {:.2} | {typed:.1?} | {ours_typed:.1?} | {:.2} |",
            ratio(ours, raw),
            ratio(ours_typed, typed)
        );
    }
    Ok(())
}

/// Runs `command` once with `input` on stdin, output to nowhere: its wall time, CPU time and
/// peak memory.
fn run_once(command: &mut Command, input: &Path, name: &str) -> Result<(Duration, Duration, u64)> {
    let start = Instant::now();
    let child = command
        .stdin(File::open(input).context("opening the input")?)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .current_dir(util::root())
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let (ok, peak, cpu) = wait(child.id())?;
    let elapsed = start.elapsed();
    if !ok {
        bail!("{name} failed on {}", input.display());
    }
    Ok((elapsed, cpu, peak))
}

/// Runs `command` with `input` on stdin [`RUNS`] times; prints and returns the median wall and CPU times.
fn measure(name: &str, command: &mut Command, input: &Path, size: u64) -> Result<(Duration, Duration)> {
    let mut times = Vec::new();
    let mut cpus = Vec::new();
    let mut peak = 0;
    for _ in 0..RUNS {
        let (time, cpu, rss) = run_once(command, input, name)?;
        times.push(time);
        cpus.push(cpu);
        peak = peak.max(rss);
    }
    times.sort();
    cpus.sort();
    let (median, cpu) = (times[RUNS / 2], cpus[RUNS / 2]);
    println!("| `{name}` | {median:.1?} | {:.1} | {cpu:.1?} | {:.1} MiB |", mb_per_s(size, median), mib(peak));
    Ok((median, cpu))
}

/// Reaps the child `pid`: whether it exited with 0, its peak resident memory in bytes, and the
/// CPU time it used (user and system).
fn wait(pid: u32) -> Result<(bool, u64, Duration)> {
    let mut status = 0;
    // SAFETY: rusage is plain old data, written by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet reaped (std's Child is never waited for here).
    let reaped = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if reaped < 0 {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok((ok, usage.ru_maxrss as u64 * 1024, time(usage.ru_utime) + time(usage.ru_stime)))
}

fn mb_per_s(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64() / 1e6
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}
