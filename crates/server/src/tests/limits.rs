//! Admission, queueing, time limits, cancellation, failing models and the choice of model.

use super::*;

/// Takes the permits a running analysis holds (its admission and its slot).
fn hold_a_running_analysis(
    s: &TestServer,
) -> (
    tokio::sync::OwnedSemaphorePermit,
    tokio::sync::OwnedSemaphorePermit,
) {
    (
        Arc::clone(&s.state.admission).try_acquire_owned().unwrap(),
        Arc::clone(&s.state.slots).try_acquire_owned().unwrap(),
    )
}

#[test]
fn past_the_concurrency_cap_gets_503() {
    let s = start(Config {
        max_concurrent: 1,
        max_queued: 0,
        ..Config::default()
    });
    // Occupy the only slot as a running analysis would: deterministic, no timing involved.
    let held = hold_a_running_analysis(&s);
    let busy = raw(
        s.addr,
        "POST",
        "/v1/analyze",
        &["Content-Type: application/json"],
        json!({ "text": ARTICLE }).to_string().as_bytes(),
    );
    assert_eq!(busy.status, 503);
    assert!(error_of(&busy.json()).contains("busy"), "{}", busy.body);
    // Tells clients when to come back instead of leaving them to retry in a tight loop.
    assert_eq!(busy.header("retry-after"), Some("1"), "{}", busy.head);
    let (status, _) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": ARTICLE, "spans": [{ "start": 0, "end": 3 }] }),
    );
    assert_eq!(status, 503);
    // Cheap endpoints stay available while analyses are saturated.
    assert_eq!(get(s.addr, "/healthz").0, 200);
    drop(held);
    assert_eq!(
        post(s.addr, "/v1/analyze", &json!({ "text": ARTICLE })).0,
        200
    );
}

#[test]
fn a_request_waits_in_the_queue_for_a_slot_and_past_the_queue_gets_503() {
    let s = start(Config {
        max_concurrent: 1,
        max_queued: 1,
        ..Config::default()
    });
    let held = hold_a_running_analysis(&s);
    let addr = s.addr;
    let waiting =
        std::thread::spawn(move || post(addr, "/v1/analyze", &json!({ "text": ARTICLE })).0);
    // Wait until the request has been admitted and is waiting for the slot.
    while s.state.admission.available_permits() > 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    // One running (held by the test) and one waiting: the queue is full.
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "text": ARTICLE }));
    assert_eq!(status, 503, "{r}");
    drop(held);
    assert_eq!(waiting.join().unwrap(), 200);
}

#[test]
fn past_the_time_limit_gets_504() {
    let s = start(Config {
        timeout: Duration::from_millis(1),
        ..Config::default()
    });
    // Analysing 50k code points takes far longer than a millisecond.
    let text = ARTICLE.repeat(250);
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "text": text }));
    assert_eq!(status, 504);
    assert!(error_of(&r).contains("limit"), "{r}");
}

/// A detector that works until it is cancelled (or a minute has passed), in short steps like the
/// transformer's batches of windows; it counts the runs that saw the flag.
struct UntilCancelled(Arc<std::sync::atomic::AtomicUsize>);

impl unspin::Detector for UntilCancelled {
    fn name(&self) -> &str {
        "until-cancelled"
    }

    fn detect(
        &self,
        _: &unspin::Document,
        cancel: &unspin::Cancel,
    ) -> Result<unspin::Detection, unspin::DetectError> {
        for _ in 0..6000 {
            if let Err(c) = cancel.check() {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                return Err(c.into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(unspin::Detection::default())
    }

    fn classify(
        &self,
        _: &unspin::Document,
        spans: &[unspin::CharSpan],
        _: &unspin::Cancel,
    ) -> Result<Vec<unspin::TechniqueScores>, unspin::DetectError> {
        Ok(vec![unspin::UNIFORM_SCORES; spans.len()])
    }
}

/// A detector that fails on articles whose text starts with "fail" and otherwise answers with
/// a note, as an ensemble does when one of its models failed.
struct Flaky;

impl unspin::Detector for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }

    fn detect(
        &self,
        doc: &unspin::Document,
        _: &unspin::Cancel,
    ) -> Result<unspin::Detection, unspin::DetectError> {
        if doc.text().starts_with("fail") {
            return Err(unspin::DetectError::failed("flaky", doc, "the model broke"));
        }
        Ok(unspin::Detection {
            notes: vec!["half the model was missing".to_string()],
            ..unspin::Detection::default()
        })
    }

    fn classify(
        &self,
        doc: &unspin::Document,
        _: &[unspin::CharSpan],
        _: &unspin::Cancel,
    ) -> Result<Vec<unspin::TechniqueScores>, unspin::DetectError> {
        Err(unspin::DetectError::failed("flaky", doc, "the model broke"))
    }
}

#[test]
fn a_failing_model_gets_500_naming_it_and_notes_reach_the_report() {
    let s = start_with(
        Analyzer::new(Box::new(Flaky), false).unwrap(),
        Config::default(),
    );
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "text": "fail now" }));
    assert_eq!(status, 500, "{r}");
    assert!(error_of(&r).contains("flaky detector"), "{r}");
    assert!(error_of(&r).contains("the model broke"), "{r}");
    let (status, r) = post(s.addr, "/v1/analyze", &json!({ "text": "all is well" }));
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["notes"], json!(["half the model was missing"]));
    let (status, r) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": "all is well", "spans": [{ "start": 0, "end": 3 }] }),
    );
    assert_eq!(status, 500, "{r}");
}

#[test]
fn requests_choose_among_the_servers_models() {
    let classical = Analyzer::new(unspin::load_detector(None).unwrap(), true).unwrap();
    let s = start_models(
        vec![classical, Analyzer::new(Box::new(Flaky), false).unwrap()],
        Config::default(),
    );
    let (status, h) = get(s.addr, "/healthz");
    assert_eq!(status, 200);
    assert_eq!(h["models"], json!(["classical", "flaky"]));
    assert_eq!(h["detector"], "classical");
    // The default, then each by name.
    let (_, r) = post(s.addr, "/v1/analyze", &json!({ "text": ARTICLE }));
    assert_eq!(r["detector"], "classical");
    let (status, r) = post(
        s.addr,
        "/v1/analyze",
        &json!({ "text": "all is well", "model": "flaky" }),
    );
    assert_eq!((status, &r["detector"]), (200, &json!("flaky")), "{r}");
    let (status, r) = post(
        s.addr,
        "/v1/classify",
        &json!({ "text": ARTICLE, "spans": [{ "start": 0, "end": 5 }], "model": "classical" }),
    );
    assert_eq!((status, &r["detector"]), (200, &json!("classical")), "{r}");
    // A name the server does not have is the client's mistake, and the answer lists them.
    for (path, body) in [
        (
            "/v1/analyze",
            json!({ "text": ARTICLE, "model": "ensemble" }),
        ),
        (
            "/v1/classify",
            json!({ "text": ARTICLE, "spans": [], "model": "ensemble" }),
        ),
    ] {
        let (status, r) = post(s.addr, path, &body);
        assert_eq!(status, 400, "{path}: {r}");
        assert!(error_of(&r).contains("classical, flaky"), "{r}");
    }
}

#[test]
fn a_client_that_hangs_up_cancels_its_analysis() {
    let stopped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let detector = Box::new(UntilCancelled(Arc::clone(&stopped)));
    let TestServer { addr, state } = start_with(
        Analyzer::new(detector, false).unwrap(),
        Config {
            max_concurrent: 1,
            ..Config::default()
        },
    );
    let body = serde_json::to_vec(&json!({ "text": ARTICLE })).unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /v1/analyze HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body).unwrap();
    // Once the analysis holds the slot, the page's Cancel button: the connection closes.
    let asked = std::time::Instant::now();
    while state.slots.available_permits() == 1 {
        assert!(asked.elapsed() < Duration::from_secs(5), "never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(stream);
    while stopped.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "the analysis ran on after its client left"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    while state.slots.available_permits() == 0 {
        assert!(asked.elapsed() < Duration::from_secs(10), "slot still held");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_timed_out_analysis_is_cancelled_and_frees_its_slot() {
    let stopped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let detector = Box::new(UntilCancelled(Arc::clone(&stopped)));
    let config = Config {
        timeout: Duration::from_millis(300),
        max_concurrent: 1,
        max_queued: 0,
        ..Config::default()
    };
    let TestServer { addr, state } = start_with(Analyzer::new(detector, false).unwrap(), config);
    for round in 0..3 {
        let asked = std::time::Instant::now();
        let (status, r) = post(addr, "/v1/analyze", &json!({ "text": ARTICLE }));
        assert_eq!(status, 504, "{r}");
        // Without cancellation the slot stays taken for the detector's whole minute, and the
        // next round gets 503 instead of 504.
        while state.slots.available_permits() == 0 {
            assert!(asked.elapsed() < Duration::from_secs(2), "slot still held");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(asked.elapsed() < Duration::from_secs(2));
        assert_eq!(stopped.load(std::sync::atomic::Ordering::SeqCst), round + 1);
    }
}

#[test]
fn graceful_shutdown_stops_the_server() {
    let analyzer = Analyzer::new(unspin::load_detector(None).unwrap(), false).unwrap();
    let router = router(analyzer, &Config::default());
    runtime().block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, router, Config::default().timeout, async {
            let _ = rx.await;
        }));
        tx.send(()).unwrap();
        let done = tokio::time::timeout(Duration::from_secs(5), server).await;
        assert!(matches!(done, Ok(Ok(Ok(())))), "{done:?}");
    });
}

/// A client that sends half a request's headers and waits: cut off after the timeout, so it
/// neither holds its connection nor keeps SIGTERM from stopping the server.
#[test]
fn a_stalled_client_is_cut_off_and_does_not_block_shutdown() {
    let timeout = Duration::from_secs(1);
    let analyzer = Analyzer::new(unspin::load_detector(None).unwrap(), false).unwrap();
    let router = router(analyzer, &Config::default());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, server) = runtime().block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(serve(listener, router, timeout, async {
            let _ = rx.await;
        }));
        (addr, server)
    });

    let mut stalled = TcpStream::connect(addr).unwrap();
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    stalled
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let asked = std::time::Instant::now();
    let mut answer = Vec::new();
    // Without a header timeout this read waits for the 10 s limit and fails.
    stalled
        .read_to_end(&mut answer)
        .expect("the server closes the connection");
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );

    // A second stalled client while the server shuts down: shutdown still ends.
    let mut second = TcpStream::connect(addr).unwrap();
    second.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    tx.send(()).unwrap();
    let done =
        runtime().block_on(async { tokio::time::timeout(Duration::from_secs(5), server).await });
    assert!(matches!(done, Ok(Ok(Ok(())))), "{done:?}");
}
