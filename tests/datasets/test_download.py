"""Downloads against a loopback HTTP server (127.0.0.1, free port) serving files the tests
write: a good dataset, a corrupted file (checksum error), truncated transfers and files."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import logging
import threading

import numpy as np
import pytest

from flambeau.datasets import load_idx_dataset
from flambeau.datasets.download import ChecksumError, DownloadError, download_file, sha256_of
from flambeau.datasets.idx import IDXFormatError
from flambeau.datasets.locate import DatasetNotFoundError
from flambeau.datasets.registry import DatasetFile
from tests.datasets.tiny_idx import tiny_arrays, tiny_spec, write_tiny


class Server:
    """Serves ``files`` (URL path -> bytes); paths in ``short`` announce their full length but
    send only half of the bytes before closing the connection."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.short: set[str] = set()
        self.requests: list[str] = []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def _handler(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.lstrip("/")
                server.requests.append(path)
                if path not in server.files:
                    self.send_error(404)
                    return
                body = server.files[path]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if path in server.short else body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def server():
    srv = Server()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def _publish(server: Server, tmp_path, prefix: str = "", checksums: bool = True):
    """Put the tiny dataset on ``server`` under ``prefix`` and return the matching spec."""
    folder = write_tiny(tmp_path / "upload")
    spec = tiny_spec()
    files = {}
    for role, file in zip(("train_images", "train_labels", "test_images", "test_labels"),
                          spec.files, strict=True):
        data = (folder / file.name).read_bytes()
        server.files[prefix + file.name] = data
        files[role] = DatasetFile(file.name, hashlib.sha256(data).hexdigest() if checksums else None)
    return tiny_spec(mirrors=(server.url + prefix,), **files)


def test_download_into_cache_then_reuse(isolated, server):
    spec = _publish(server, isolated)
    X_train, y_train, _, y_test = load_idx_dataset(spec, progress=False)
    np.testing.assert_allclose(X_train, tiny_arrays()[0].reshape(30, -1) / 255, rtol=1e-6)
    assert y_test.tolist() == tiny_arrays()[3].tolist()
    cached = isolated / "cache" / "flambeau" / spec.name
    assert sorted(p.name for p in cached.iterdir()) == sorted(f.name for f in spec.files)
    assert len(server.requests) == 4
    load_idx_dataset(spec, progress=False)
    assert len(server.requests) == 4  # second load comes from the cache


def test_second_mirror_is_used_when_the_first_fails(isolated, server):
    spec = _publish(server, isolated, prefix="good/")
    spec = tiny_spec(mirrors=(server.url + "missing/", server.url + "good/"),
                     **{role: getattr(spec, role) for role in
                        ("train_images", "train_labels", "test_images", "test_labels")})
    load_idx_dataset(spec, progress=False)
    assert server.requests[:2] == ["missing/train-images-idx3-ubyte.gz", "good/train-images-idx3-ubyte.gz"]


def test_corrupted_file_is_a_checksum_error_and_leaves_nothing(isolated, server):
    spec = _publish(server, isolated)
    name = spec.train_labels.name
    server.files[name] = server.files[name][:-1] + bytes([server.files[name][-1] ^ 0xFF])
    expected = f"no mirror served {name} with SHA-256 {spec.train_labels.sha256}"
    with pytest.raises(ChecksumError, match=expected):
        load_idx_dataset(spec, progress=False)
    cached = isolated / "cache" / "flambeau" / spec.name
    assert name not in {p.name for p in cached.iterdir()}
    assert not [p for p in cached.iterdir() if p.name.endswith(".tmp")]  # no temporary left


def test_truncated_transfer_is_reported(isolated, server):
    spec = _publish(server, isolated)
    server.short.add(spec.test_images.name)
    with pytest.raises(DatasetNotFoundError, match="Download: download_file: could not download "
                                                   "t10k-images-idx3-ubyte.gz"):
        load_idx_dataset(spec, progress=False)
    assert not list((isolated / "cache" / "flambeau" / spec.name).glob(".*.tmp"))


def test_truncated_file_without_checksum_warns_then_fails_to_parse(isolated, server, caplog):
    spec = _publish(server, isolated, checksums=False)
    # 9 labels announced, 4 present: a file truncated at the source, served whole
    server.files[spec.test_labels.name] = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x09" + b"\x01" * 4)
    with caplog.at_level(logging.WARNING, logger="flambeau.datasets.download"):
        with pytest.raises(IDXFormatError, match=r"is truncated: header announces shape \(9,\)"):
            load_idx_dataset(spec, progress=False)
    assert "no known SHA-256, accepted unverified" in caplog.text


def test_offline_error_lists_places_and_failures(isolated):
    spec = tiny_spec(mirrors=("http://127.0.0.1:9/",))  # discard port: connection refused
    with pytest.raises(DatasetNotFoundError) as info:
        load_idx_dataset(spec, progress=False)
    message = str(info.value)
    assert "Tiny not found. Searched, in order:" in message
    assert "(user cache): no such folder" in message and "(system): no such folder" in message
    assert "could not download train-images-idx3-ubyte.gz (http://127.0.0.1:9/train-images" in message


def test_download_file_verifies_and_moves_atomically(tmp_path, server, capsys):
    server.files["a.bin"] = b"hello"
    dest = tmp_path / "sub" / "a.bin"
    download_file([server.url + "a.bin"], dest, hashlib.sha256(b"hello").hexdigest(), progress=True)
    assert "a.bin: 100%" in capsys.readouterr().err  # the tqdm bar, on stderr
    assert dest.read_bytes() == b"hello" and sha256_of(dest) == hashlib.sha256(b"hello").hexdigest()
    assert [p.name for p in dest.parent.iterdir()] == ["a.bin"]


def test_download_file_with_no_url(tmp_path):
    with pytest.raises(DownloadError, match=r"could not download a.bin \(no URL given\)"):
        download_file([], tmp_path / "a.bin", None, progress=False)
