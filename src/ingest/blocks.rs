//! A text's lines worked on by several threads and taken back in file order: a reader cuts
//! the stream into blocks of whole lines, each worker turns a block into what it makes of
//! it, and the caller takes the results one block after another, in order. At most
//! [`IN_FLIGHT`] blocks are out at a time, so memory stays flat whatever the file's size.
//! The JSON Lines reader uses it: parsing JSON is the slow step of that path, and on two
//! cores it runs beside the checks, the store and the lake.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Bytes read into a block before it is cut at its last line end.
const BLOCK_BYTES: usize = 4 << 20;

/// Blocks read ahead of the caller (being worked on or waiting for their turn).
const IN_FLIGHT: usize = 6;

/// Buffers handed back by the workers for the reader to fill again: allocating 4 MB afresh
/// for every block cost page faults and zeroing worth a tenth of the reader's time.
type Spares = (SyncSender<Vec<u8>>, Receiver<Vec<u8>>);

/// Whole lines of the text.
pub struct Block {
    /// The 1-based number of its first line.
    pub first: u64,
    /// The lines are `buffer[..len]`; the rest is left from the buffer's earlier use.
    buffer: Vec<u8>,
    len: usize,
}

impl Block {
    fn bytes(&self) -> &[u8] {
        &self.buffer[..self.len]
    }

    /// Its lines with their numbers, without their `\n`.
    pub fn lines(&self) -> impl Iterator<Item = (u64, &[u8])> {
        let bytes = self.bytes();
        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let mut rest = Some(body);
        std::iter::from_fn(move || {
            let text = rest?;
            Some(match memchr::memchr(b'\n', text) {
                Some(i) => {
                    rest = Some(&text[i + 1..]);
                    &text[..i]
                }
                None => {
                    rest = None;
                    text
                }
            })
        })
        .zip(self.first..)
        .map(|(line, n)| (n, line))
    }

    /// How many lines it holds.
    fn line_count(&self) -> u64 {
        let ends = memchr::memchr_iter(b'\n', self.bytes()).count() as u64;
        ends + u64::from(!self.bytes().ends_with(b"\n"))
    }
}

/// Reading the text failed before line `line`.
#[derive(Debug)]
pub struct ReadFailed {
    /// The 1-based number of the line being read.
    pub line: u64,
    /// What the reader said.
    pub error: std::io::Error,
}

/// Cuts `text` into blocks, has `workers` threads (each with its own state from `worker`)
/// turn them into results, and hands the results to `take` in file order. Stops at `take`'s
/// first error, which it returns; a read error comes back as the inner `Err` once every
/// block before it was taken.
pub fn in_order<O: Send, W: FnMut(&Block) -> O>(
    text: impl Read + Send,
    workers: usize,
    worker: impl Fn() -> W + Sync,
    mut take: impl FnMut(O) -> anyhow::Result<()>,
) -> anyhow::Result<Result<(), ReadFailed>> {
    // A block is read only with a ticket, and its ticket comes back when it was taken.
    let (tickets, ticket) = sync_channel::<()>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        tickets.send(()).expect("room for every ticket");
    }
    let (to_work, work) = sync_channel::<(u64, Block)>(IN_FLIGHT);
    let work = Mutex::new(work);
    let (to_caller, done) = sync_channel::<(u64, O)>(IN_FLIGHT);
    let (spare, spares): Spares = sync_channel(IN_FLIGHT);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_blocks(text, &ticket, &to_work, &spares));
        for _ in 0..workers.max(1) {
            let (to_caller, work, worker, spare) = (to_caller.clone(), &work, &worker, spare.clone());
            scope.spawn(move || {
                let mut turn = worker();
                while let Ok((seq, block)) = work.lock().expect("the work queue").recv() {
                    let out = turn(&block);
                    // Room or not, the reader gone or not: a buffer not taken back is freed.
                    let _ = spare.try_send(block.buffer);
                    if to_caller.send((seq, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(spare);
        drop(to_caller);
        let taken = take_in_order(done, tickets, &mut take);
        let read = reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        taken.map(|()| read)
    })
}

/// Takes each block's result in turn and gives its ticket back. Returning drops both
/// channels, which stops the reader and the workers.
fn take_in_order<O>(
    done: Receiver<(u64, O)>,
    tickets: SyncSender<()>,
    take: &mut impl FnMut(O) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for (seq, out) in done {
        waiting.insert(seq, out);
        while let Some(out) = waiting.remove(&next) {
            take(out)?;
            next += 1;
            // Never full: a ticket is either here or out with its block. The reader may be done.
            let _ = tickets.try_send(());
        }
    }
    Ok(())
}

/// The reader: a block of whole lines per ticket, until the text ends or nobody takes them.
/// Each block is read into a buffer a worker gave back when there is one.
fn read_blocks(
    mut text: impl Read,
    ticket: &Receiver<()>,
    work: &SyncSender<(u64, Block)>,
    spares: &Receiver<Vec<u8>>,
) -> Result<(), ReadFailed> {
    let (mut carry, mut first, mut seq) = (Vec::new(), 1u64, 0u64);
    loop {
        if ticket.recv().is_err() {
            return Ok(());
        }
        let mut buffer = spares.try_recv().unwrap_or_default();
        if buffer.len() < carry.len() {
            buffer.resize(carry.len(), 0);
        }
        buffer[..carry.len()].copy_from_slice(&carry);
        let mut len = carry.len();
        carry.clear();
        let ended = loop {
            let before = len;
            let ended = fill(&mut text, &mut buffer, &mut len, before + BLOCK_BYTES).map_err(|error| ReadFailed {
                line: first + memchr::memchr_iter(b'\n', &buffer[..len]).count() as u64,
                error,
            })?;
            if ended {
                break true;
            }
            // A line longer than a block reads on into the same block.
            if let Some(end) = memchr::memrchr(b'\n', &buffer[before..len]) {
                carry.extend_from_slice(&buffer[before + end + 1..len]);
                len = before + end + 1;
                break false;
            }
        };
        if len > 0 {
            let block = Block { first, buffer, len };
            first += block.line_count();
            if work.send((seq, block)).is_err() {
                return Ok(());
            }
            seq += 1;
        }
        if ended {
            return Ok(());
        }
    }
}

/// Reads into `buffer[*len..upto]` until it is full (false) or the text ends (true),
/// growing the buffer when it is shorter: a buffer used before is not zeroed again.
fn fill(text: &mut impl Read, buffer: &mut Vec<u8>, len: &mut usize, upto: usize) -> std::io::Result<bool> {
    if buffer.len() < upto {
        buffer.resize(upto, 0);
    }
    while *len < upto {
        match text.read(&mut buffer[*len..upto]) {
            Ok(0) => return Ok(true),
            Ok(n) => *len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `text`, numbered, as `in_order` hands them back.
    fn numbered(text: &[u8], workers: usize) -> Vec<(u64, Vec<u8>)> {
        let mut got = Vec::new();
        let read = in_order(
            text,
            workers,
            || |b: &Block| b.lines().map(|(n, l)| (n, l.to_vec())).collect::<Vec<_>>(),
            |lines| {
                got.extend(lines);
                Ok(())
            },
        )
        .expect("taken");
        assert!(read.is_ok());
        got
    }

    #[test]
    fn lines_come_back_in_order_with_their_numbers_across_blocks() {
        // Lines of many lengths, some longer than a block, crossing every block boundary.
        let mut text = Vec::new();
        let mut want = Vec::new();
        for i in 0..4_000u64 {
            let line = format!(
                "{i}:{}",
                "x".repeat(((i * 7919) % 9_000) as usize + if i % 997 == 0 { BLOCK_BYTES } else { 0 })
            );
            text.extend_from_slice(line.as_bytes());
            text.push(b'\n');
            want.push((i + 1, line.into_bytes()));
        }
        text.extend_from_slice(b"\n\nlast without an end");
        want.push((4_001, Vec::new()));
        want.push((4_002, Vec::new()));
        want.push((4_003, b"last without an end".to_vec()));
        for workers in [1, 3] {
            let got = numbered(&text, workers);
            assert_eq!(got.len(), want.len());
            assert!(got == want, "{workers} workers: lines out of order or cut");
        }
        assert_eq!(numbered(b"", 2), Vec::new());
        assert_eq!(numbered(b"\n", 2), vec![(1, Vec::new())]);
    }

    #[test]
    fn the_callers_error_stops_the_reader_and_a_read_error_names_its_line() {
        let text = "{}\n".repeat(BLOCK_BYTES + 10);
        let mut taken = 0;
        let stopped = in_order(
            text.as_bytes(),
            2,
            || |b: &Block| b.first,
            |_| {
                taken += 1;
                anyhow::bail!("the store stopped")
            },
        );
        assert_eq!(stopped.expect_err("stopped").to_string(), "the store stopped");
        assert_eq!(taken, 1);

        struct Breaks(usize);
        impl Read for Breaks {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("the disk went away"));
                }
                let n = buf.len().min(self.0).min(3);
                buf[..n].copy_from_slice(&b"a\nb"[..n]);
                self.0 -= n;
                Ok(n)
            }
        }
        let read = in_order(Breaks(6), 2, || |b: &Block| b.line_count(), |_| Ok(())).expect("taken");
        let failed = read.expect_err("the read failed");
        assert_eq!(failed.line, 3, "a\\nba\\nb read: lines 1 and 2 whole, the 3rd being read");
        assert_eq!(failed.error.to_string(), "the disk went away");
    }
}
