//! Reading an answer's body as it arrives: whole up to [`MAX_BODY_BYTES`], or through a
//! [`Scan`] that keeps only what it needs, so an answer of any size is read in bounded memory.

/// The most bytes of a body read whole: Salesforce's answers here are a few KB (describeGlobal
/// of a large org: ~1 MB); anything beyond is not an answer we can use. Bodies read through a
/// [`Scan`] of their own (listMetadata, which lists every record of the org) are not capped.
pub(crate) const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Why a scan stopped reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The body is larger than what is read of it.
    TooLarge,
    /// The body is not in the form the call answers (the reason, quoting it where useful).
    Unreadable(String),
}

/// Reads a body piece by piece as it arrives; what it keeps is up to it.
pub(crate) trait Scan {
    /// What the body amounts to once read.
    type Output;
    /// The length the server announced before sending (`Content-Length`), when it did.
    fn announced(&mut self, _length: u64) -> Result<(), Stop> {
        Ok(())
    }
    /// Takes the next piece of the body.
    fn feed(&mut self, chunk: &[u8]) -> Result<(), Stop>;
    /// The body ended.
    fn finish(self) -> Result<Self::Output, Stop>;
}

/// The whole body as text, at most [`MAX_BODY_BYTES`].
#[derive(Debug, Default)]
pub(crate) struct Whole(Vec<u8>);

impl Scan for Whole {
    type Output = String;

    fn announced(&mut self, length: u64) -> Result<(), Stop> {
        if length > MAX_BODY_BYTES as u64 {
            return Err(Stop::TooLarge);
        }
        Ok(())
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<(), Stop> {
        if self.0.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(Stop::TooLarge);
        }
        self.0.extend_from_slice(chunk);
        Ok(())
    }

    fn finish(self) -> Result<String, Stop> {
        Ok(String::from_utf8_lossy(&self.0).into_owned())
    }
}

/// Why a body was not read to its end.
pub(super) enum BodyError {
    /// The connection failed while the body came.
    Network(reqwest::Error),
    /// The scan stopped.
    Stopped(Stop),
}

/// Feeds `resp`'s body to `scan` chunk by chunk, never holding more than one chunk besides
/// what the scan keeps.
pub(super) async fn read<S: Scan>(
    mut resp: reqwest::Response,
    mut scan: S,
) -> Result<S::Output, BodyError> {
    if let Some(length) = resp.content_length() {
        scan.announced(length).map_err(BodyError::Stopped)?;
    }
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Network)? {
        scan.feed(&chunk).map_err(BodyError::Stopped)?;
    }
    scan.finish().map_err(BodyError::Stopped)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::time::Duration;

    use reqwest::Url;

    use super::*;
    use crate::salesforce::error::{Api, Failure};
    use crate::salesforce::http::{Deadline, Transport};

    /// A server that streams `total` bytes of body in chunks, with no Content-Length, as a proxy
    /// may: only the chunk-by-chunk count can stop it.
    fn chunked_server(total: usize) -> Url {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let _ = stream.read(&mut [0; 4096]);
            let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let chunk = vec![b'a'; 64 * 1024];
            for _ in 0..total.div_ceil(chunk.len()) {
                let sent = stream
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .and_then(|()| stream.write_all(&chunk))
                    .and_then(|()| stream.write_all(b"\r\n"));
                if sent.is_err() {
                    return; // the client stopped reading
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n");
        });
        url
    }

    #[tokio::test]
    async fn a_streamed_answer_over_the_cap_is_not_read_whole() {
        let url = chunked_server(MAX_BODY_BYTES + 1024 * 1024);
        let transport = Transport::new().unwrap();
        let deadline = Deadline::after(Duration::from_secs(20));
        let result = transport
            .execute(&deadline, "query", Api::Rest, || {
                transport.request(reqwest::Method::GET, url.clone())
            })
            .await;
        let Err(Failure::Permanent(e)) = result else {
            panic!("not refused: {result:?}")
        };
        assert!(e.answer.contains("answer too large"), "{}", e.answer);
        assert!(!e.hint.contains("report this"), "{}", e.hint);
        assert_eq!(transport.unknown_outcomes(), 0);
    }

    #[tokio::test]
    async fn a_streamed_answer_within_the_cap_is_read() {
        let url = chunked_server(MAX_BODY_BYTES - 64 * 1024);
        let transport = Transport::new().unwrap();
        let deadline = Deadline::after(Duration::from_secs(20));
        let answer = transport
            .execute(&deadline, "query", Api::Rest, || {
                transport.request(reqwest::Method::GET, url.clone())
            })
            .await
            .unwrap();
        assert_eq!(answer.body.len(), MAX_BODY_BYTES - 64 * 1024);
    }

    /// Counts bytes and keeps none.
    struct Count(usize);

    impl Scan for Count {
        type Output = usize;
        fn feed(&mut self, chunk: &[u8]) -> Result<(), Stop> {
            self.0 += chunk.len();
            Ok(())
        }
        fn finish(self) -> Result<usize, Stop> {
            Ok(self.0)
        }
    }

    #[tokio::test]
    async fn a_scanned_answer_has_no_cap() {
        let total = 3 * MAX_BODY_BYTES;
        let url = chunked_server(total);
        let transport = Transport::new().unwrap();
        let deadline = Deadline::after(Duration::from_secs(20));
        let (status, seen) = transport
            .execute_scanned(
                &deadline,
                "listMetadata",
                Api::Soap,
                || transport.request(reqwest::Method::GET, url.clone()),
                || Count(0),
                true,
            )
            .await
            .unwrap();
        assert_eq!((status, seen), (200, total.div_ceil(64 * 1024) * 64 * 1024));
    }
}
