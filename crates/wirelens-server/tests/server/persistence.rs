//! The database file outlives the server: data survives a restart, seeding happens once, and a
//! photo is saved in one transaction.

use wirelens_api::GetUserRequest;
use wirelens_server::{Config, Store, seed, store};

use crate::support::{TestServer, authed};

#[tokio::test]
async fn photos_and_users_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wirelens.sqlite3");
    let config = Config { rate_limit: None, ..Config::default() };

    let server = TestServer::with(Store::open(&path).unwrap(), config.clone()).await;
    let mut client = server.client().await;
    let upload = wirelens_api::PhotoUpload { user_id: 42, chunk: b"pixels".to_vec(), ..Default::default() };
    let first = client.upload_user_photos(authed(tokio_stream::iter([upload]))).await.unwrap().into_inner();
    drop(client);
    server.stop().await;

    let server = TestServer::with(Store::open(&path).unwrap(), config).await;
    let mut client = server.client().await;
    let user = client.get_user(authed(GetUserRequest { user_id: 42 })).await.unwrap().into_inner().user.unwrap();
    assert_eq!(user, seed::user(42));
    let users = server.store.run(|conn| conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0))).await;
    assert_eq!(users.unwrap(), seed::COUNT, "seeded once, not again on restart");
    assert_eq!(server.store.run(|conn| store::photo_counts(conn)).await.unwrap(), (1, 1));
    let sha: String =
        server.store.run(|conn| conn.query_row("SELECT sha256_hex FROM photos", [], |r| r.get(0))).await.unwrap();
    assert_eq!(sha, first.sha256_hex);
    drop(client);
    server.stop().await;
}

#[tokio::test]
async fn a_failing_save_rolls_back_every_chunk() {
    let store = Store::in_memory().unwrap();
    let photo = store::NewPhoto {
        user_id: 42,
        filename: "a.png".into(),
        content_type: "image/png".into(),
        chunks: vec![b"one".to_vec(), b"two".to_vec()],
        sha256_hex: String::new(),
    };
    // A trigger that fails the second chunk's insert, as a full disk or a crash would.
    store
        .run(|conn| {
            conn.execute_batch(
                "CREATE TRIGGER fail_second BEFORE INSERT ON photo_chunks WHEN NEW.chunk_index = 1
                 BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
            )
        })
        .await
        .unwrap();
    let error = store.run(move |conn| store::save_photo(conn, &photo)).await.unwrap_err();
    assert!(error.to_string().contains("disk full"), "{error}");
    assert_eq!(store.run(|conn| store::photo_counts(conn)).await.unwrap(), (0, 0), "neither the photo nor chunk 0");
}

#[test]
fn an_unreadable_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-db.sqlite3");
    std::fs::write(&path, b"this is not an SQLite file, it is long enough to have a header").unwrap();
    let message = Store::open(&path).err().unwrap().to_string();
    assert!(message.starts_with(&format!("could not open database {}", path.display())), "{message}");
}
