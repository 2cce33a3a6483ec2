//! kafkatune's delay proxy: a TCP listener on loopback in front of one broker, inside the
//! kafkatune process, forwarding each connection to the broker with the trial's one-way
//! latency, jitter and bandwidth limit.
//!
//! Why our own rather than Toxiproxy or the `noxious` crate: the proxy must not be the
//! bottleneck, and on 2 cores every cycle it spends is one the broker and the consumer lack.
//! Toxiproxy v2.12.0 at zero delay (bench pair 8, 2026-12-05, quiet machine) let a librdkafka
//! drain run at 0.73 of a direct connection (2.62 M against 3.57 M msg/s); neither `GOGC=off`
//! (0.72) nor `GOMAXPROCS=1` (0.78) closed the gap: every chunk is copied to user space and
//! handed through unbuffered channels from goroutine to goroutine (reader, noop toxic,
//! writer). noxious ports that same design to tokio tasks (chunk streams through toxic
//! channels) and has had no release since 2021. Here, a connection with nothing to add
//! moves its bytes with splice(2) through a pipe, never copied to user space; a delayed one
//! has a reader thread that stamps each chunk with the time it is due and a writer thread
//! that sends it then, which is what Toxiproxy's latency toxic does.
//!
//! Each connection takes the settings in force when it opens: kafkatune changes them only
//! between runs, and every run's clients are fresh processes with fresh connections (the
//! round trip is measured on a fresh connection too).

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rand::Rng;

use super::spec::NetworkSettings;

/// Bytes one splice may move (the pipe is sized to hold them; a fetch response is about
/// 1 MiB at the defaults).
const PIPE_BYTES: usize = 1 << 20;

/// The most one read of a delayed connection takes in.
const CHUNK_BYTES: usize = 256 * 1024;

/// Chunks a delayed direction holds before its reader waits (with `CHUNK_BYTES`, at most
/// 64 MiB in flight per direction: more than any round trip of a Kafka client carries).
const QUEUE_CHUNKS: usize = 256;

/// A bandwidth-limited chunk is sent in pieces of this size, each at its time, so that a
/// large chunk trickles out as it would over a slow link instead of leaving in one burst.
const PIECE_BYTES: usize = 16 * 1024;

/// How long connecting to the broker may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What every proxy of a cluster shares: the settings, the connections open now.
#[derive(Debug, Default)]
pub struct Shared {
    settings: RwLock<NetworkSettings>,
    stopping: AtomicBool,
    next_id: AtomicU64,
    /// Each open connection's two sockets, so that a stop can close them.
    open: Mutex<HashMap<u64, [TcpStream; 2]>>,
}

impl Shared {
    pub fn new() -> Arc<Shared> {
        Arc::new(Shared::default())
    }

    /// The settings new connections take from now on.
    pub fn set(&self, settings: NetworkSettings) {
        *self.settings.write().expect("not poisoned") = settings;
    }

    fn settings(&self) -> NetworkSettings {
        *self.settings.read().expect("not poisoned")
    }

    fn register(&self, client: &TcpStream, server: &TcpStream) -> Option<u64> {
        let pair = [client.try_clone().ok()?, server.try_clone().ok()?];
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.open.lock().expect("not poisoned").insert(id, pair);
        Some(id)
    }

    fn unregister(&self, id: u64) {
        self.open.lock().expect("not poisoned").remove(&id);
    }

    /// Stops accepting and closes every open connection.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for pair in self.open.lock().expect("not poisoned").values() {
            for socket in pair {
                let _ = socket.shutdown(Shutdown::Both);
            }
        }
    }
}

/// One listener on a free loopback port, forwarding to its upstream once that is known.
#[derive(Debug)]
pub struct Proxy {
    listen: SocketAddr,
    upstream: Arc<Mutex<Option<SocketAddr>>>,
    shared: Arc<Shared>,
    accepting: Option<thread::JoinHandle<()>>,
}

impl Proxy {
    /// Listens on a free loopback port; connections made before `set_upstream` are closed.
    pub fn start(shared: Arc<Shared>) -> Result<Proxy> {
        let listener =
            TcpListener::bind("127.0.0.1:0").context("opening a loopback port for the proxy")?;
        let listen = listener.local_addr()?;
        let upstream = Arc::new(Mutex::new(None));
        let accepting = {
            let (upstream, shared) = (upstream.clone(), shared.clone());
            thread::Builder::new()
                .name(format!("proxy-{}", listen.port()))
                .spawn(move || accept_loop(listener, upstream, shared))?
        };
        Ok(Proxy {
            listen,
            upstream,
            shared,
            accepting: Some(accepting),
        })
    }

    pub fn listen(&self) -> SocketAddr {
        self.listen
    }

    /// Points new connections at `upstream` (`HOST:PORT`).
    pub fn set_upstream(&self, upstream: &str) -> Result<()> {
        let address = std::net::ToSocketAddrs::to_socket_addrs(upstream)
            .with_context(|| format!("the proxy's upstream {upstream}"))?
            .next()
            .with_context(|| format!("the proxy's upstream {upstream} has no address"))?;
        *self.upstream.lock().expect("not poisoned") = Some(address);
        Ok(())
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop();
        // Wake the accept loop, which then sees `stopping`.
        let _ = TcpStream::connect_timeout(&self.listen, Duration::from_secs(1));
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    upstream: Arc<Mutex<Option<SocketAddr>>>,
    shared: Arc<Shared>,
) {
    for client in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(client) = client else { continue };
        let Some(server) = *upstream.lock().expect("not poisoned") else {
            continue; // no broker yet: the client sees the connection closed
        };
        let shared = shared.clone();
        let _ = thread::Builder::new()
            .name("proxy-conn".into())
            .spawn(move || serve(client, server, shared));
    }
}

/// One connection: this thread carries the broker's bytes to the client, another the
/// client's to the broker.
fn serve(client: TcpStream, upstream: SocketAddr, shared: Arc<Shared>) {
    let Ok(server) = TcpStream::connect_timeout(&upstream, CONNECT_TIMEOUT) else {
        return;
    };
    // A proxy must not add Nagle's delay to a request the client sent at once.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let settings = shared.settings();
    let Some(id) = shared.register(&client, &server) else {
        return;
    };
    let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) else {
        shared.unregister(id);
        return;
    };
    let up = thread::Builder::new()
        .name("proxy-up".into())
        .spawn(move || pump(c, s, settings));
    pump(server, client, settings);
    if let Ok(up) = up {
        let _ = up.join();
    }
    shared.unregister(id);
}

/// Carries one direction until its source ends, then passes the end on (a half close), or
/// on an error closes both sockets so that the other direction ends too.
fn pump(from: TcpStream, to: TcpStream, settings: NetworkSettings) {
    let carried = if settings.is_direct() {
        splice_all(&from, &to)
    } else {
        delay_all(&from, &to, settings)
    };
    match carried {
        Ok(()) => {
            let _ = to.shutdown(Shutdown::Write);
        }
        Err(_) => {
            let _ = from.shutdown(Shutdown::Both);
            let _ = to.shutdown(Shutdown::Both);
        }
    }
}

/// A pipe's two ends, closed when dropped.
struct Pipe {
    read: OwnedFd,
    write: OwnedFd,
}

impl Pipe {
    fn new() -> io::Result<Pipe> {
        let mut fds = [0 as RawFd; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe2 succeeded, so both descriptors are open and ours alone.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // A larger pipe moves a whole fetch response in one splice; the default (64 KiB)
        // works too, in more calls.
        // SAFETY: F_SETPIPE_SZ on a pipe we own.
        unsafe {
            libc::fcntl(
                write.as_raw_fd(),
                libc::F_SETPIPE_SZ,
                PIPE_BYTES as libc::c_int,
            )
        };
        Ok(Pipe { read, write })
    }

    fn capacity(&self) -> usize {
        // SAFETY: F_GETPIPE_SZ on a pipe we own.
        let size = unsafe { libc::fcntl(self.write.as_raw_fd(), libc::F_GETPIPE_SZ) };
        if size > 0 {
            size as usize
        } else {
            64 * 1024
        }
    }
}

/// splice(2) between two descriptors, retried when interrupted; 0 at the source's end.
fn splice(from: RawFd, to: RawFd, len: usize) -> io::Result<usize> {
    loop {
        // SAFETY: both descriptors are open for the call; null offsets (sockets and pipes).
        let n = unsafe {
            libc::splice(
                from,
                std::ptr::null_mut(),
                to,
                std::ptr::null_mut(),
                len,
                libc::SPLICE_F_MOVE,
            )
        };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Moves bytes from `from` to `to` through a pipe, in the kernel, as they come.
fn splice_all(from: &TcpStream, to: &TcpStream) -> io::Result<()> {
    let pipe = Pipe::new()?;
    let room = pipe.capacity();
    loop {
        let n = splice(from.as_raw_fd(), pipe.write.as_raw_fd(), room)?;
        if n == 0 {
            return Ok(());
        }
        let mut left = n;
        while left > 0 {
            let sent = splice(pipe.read.as_raw_fd(), to.as_raw_fd(), left)?;
            if sent == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            left -= sent;
        }
    }
}

/// Bytes read at one time, and when they are due at the other side.
struct Chunk {
    bytes: Vec<u8>,
    due: Instant,
}

/// The one-way delay of one chunk: the latency, moved by up to the jitter either side.
fn delay_of(settings: &NetworkSettings, rng: &mut impl Rng) -> Duration {
    let latency_us = settings.latency_one_way_ms as i64 * 1000;
    let jitter_us = settings.jitter_ms as i64 * 1000;
    let moved = if jitter_us > 0 {
        rng.random_range(-jitter_us..=jitter_us)
    } else {
        0
    };
    Duration::from_micros((latency_us + moved).max(0) as u64)
}

/// Reads chunks as they come and hands each, stamped with its due time, to a writer thread
/// that sends them in order, each no earlier than due (and no faster than the bandwidth).
fn delay_all(from: &TcpStream, to: &TcpStream, settings: NetworkSettings) -> io::Result<()> {
    let (chunks, due) = sync_channel::<Chunk>(QUEUE_CHUNKS);
    let (to, source) = (to.try_clone()?, from.try_clone()?);
    let bandwidth = settings.bandwidth_bytes_per_s;
    let writer = thread::Builder::new()
        .name("proxy-delay".into())
        .spawn(move || {
            let sent = send_when_due(due, &to, bandwidth);
            if sent.is_err() {
                // Wake the reader, which would otherwise wait for bytes nobody will take.
                let _ = source.shutdown(Shutdown::Read);
            }
            sent
        })?;
    let mut rng = rand::rng();
    let mut buffer = vec![0u8; CHUNK_BYTES];
    let mut reader = from;
    let read = loop {
        match reader.read(&mut buffer) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                let chunk = Chunk {
                    bytes: buffer[..n].to_vec(),
                    due: Instant::now() + delay_of(&settings, &mut rng),
                };
                if chunks.send(chunk).is_err() {
                    break Err(io::ErrorKind::BrokenPipe.into());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    // The writer sends what is queued, then sees the channel closed.
    drop(chunks);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the proxy's writer panicked")));
    read.and(written)
}

fn sleep_until(at: Instant) {
    let now = Instant::now();
    if at > now {
        thread::sleep(at - now);
    }
}

/// Sends each chunk at its due time, in order; with a bandwidth, piece by piece at the rate.
fn send_when_due(
    chunks: Receiver<Chunk>,
    to: &TcpStream,
    bandwidth: Option<u64>,
) -> io::Result<()> {
    let mut writer = to;
    let mut link_free_at = Instant::now();
    for chunk in chunks {
        sleep_until(chunk.due);
        let Some(bytes_per_s) = bandwidth else {
            writer.write_all(&chunk.bytes)?;
            continue;
        };
        for piece in chunk.bytes.chunks(PIECE_BYTES) {
            let start = link_free_at.max(Instant::now());
            sleep_until(start);
            writer.write_all(piece)?;
            link_free_at = start + Duration::from_secs_f64(piece.len() as f64 / bytes_per_s as f64);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// An echo server on loopback; its address.
    fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                thread::spawn(move || {
                    let mut reader = stream.try_clone().unwrap();
                    let _ = io::copy(&mut reader, &mut stream);
                });
            }
        });
        address
    }

    fn proxy_to_echo(settings: NetworkSettings) -> (Proxy, Arc<Shared>) {
        let shared = Shared::new();
        shared.set(settings);
        let proxy = Proxy::start(shared.clone()).unwrap();
        proxy.set_upstream(&echo_server().to_string()).unwrap();
        (proxy, shared)
    }

    /// Sends `bytes` through the proxy to the echo server and reads them back; the time
    /// from the first byte sent to the last one read.
    fn round_trip(proxy: &Proxy, bytes: &[u8]) -> (Vec<u8>, Duration) {
        let mut stream = TcpStream::connect(proxy.listen()).unwrap();
        stream.set_nodelay(true).unwrap();
        let started = Instant::now();
        let mut writer = stream.try_clone().unwrap();
        let owned = bytes.to_vec();
        let sending = thread::spawn(move || {
            writer.write_all(&owned).unwrap();
            writer.shutdown(Shutdown::Write).unwrap();
        });
        let mut back = Vec::new();
        stream.read_to_end(&mut back).unwrap();
        sending.join().unwrap();
        (back, started.elapsed())
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn a_direct_connection_carries_every_byte_in_order_and_passes_the_end_on() {
        let (proxy, _) = proxy_to_echo(NetworkSettings::default());
        let sent = pattern(5 << 20);
        let (back, _) = round_trip(&proxy, &sent);
        assert!(back == sent, "{} bytes back of {}", back.len(), sent.len());
    }

    #[test]
    fn a_delay_applies_to_each_direction() {
        let (proxy, _) = proxy_to_echo(NetworkSettings {
            latency_one_way_ms: 30,
            ..Default::default()
        });
        let (back, took) = round_trip(&proxy, b"ping");
        assert_eq!(back, b"ping");
        // Out and back: twice the one-way latency, and no more than a loaded machine adds.
        assert!(took >= Duration::from_millis(60), "{took:?}");
        assert!(took < Duration::from_millis(1000), "{took:?}");
        let sent = pattern(3 << 20);
        let (back, _) = round_trip(&proxy, &sent);
        assert!(
            back == sent,
            "a delayed connection keeps every byte in order"
        );
    }

    #[test]
    fn a_bandwidth_limit_holds_the_rate() {
        // 1 MB/s: 200 kB take at least 0.2 s each way... the echo overlaps both ways, so at
        // least 0.2 s in all.
        let (proxy, _) = proxy_to_echo(NetworkSettings {
            bandwidth_bytes_per_s: Some(1_000_000),
            ..Default::default()
        });
        let sent = pattern(200_000);
        let (back, took) = round_trip(&proxy, &sent);
        assert!(back == sent);
        assert!(took >= Duration::from_millis(190), "{took:?}");
    }

    #[test]
    fn jitter_stays_within_its_bounds() {
        let settings = NetworkSettings {
            latency_one_way_ms: 10,
            jitter_ms: 4,
            ..Default::default()
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..1000).map(|_| delay_of(&settings, &mut rng)).collect();
        assert!(delays
            .iter()
            .all(|d| *d >= Duration::from_millis(6) && *d <= Duration::from_millis(14)));
        assert!(delays.iter().any(|d| *d < Duration::from_millis(8)));
        assert!(delays.iter().any(|d| *d > Duration::from_millis(12)));
    }

    #[test]
    fn a_connection_before_the_upstream_is_known_is_closed_and_a_stop_closes_open_ones() {
        let shared = Shared::new();
        let proxy = Proxy::start(shared.clone()).unwrap();
        let mut early = TcpStream::connect(proxy.listen()).unwrap();
        let mut buf = [0u8; 1];
        assert_eq!(early.read(&mut buf).unwrap_or(0), 0, "closed at once");

        proxy.set_upstream(&echo_server().to_string()).unwrap();
        let mut open = TcpStream::connect(proxy.listen()).unwrap();
        open.write_all(b"x").unwrap();
        open.read_exact(&mut buf).unwrap();
        open.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        drop(proxy);
        assert_eq!(open.read(&mut buf).unwrap_or(0), 0, "the stop closed it");
    }
}
