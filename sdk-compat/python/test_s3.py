"""boto3 1.44.5 and the AWS CLI against codemock's S3: objects byte for byte, a 20 MB multipart
upload through the transfer manager, listings with URL-encoded keys, versioning, and the CLI's
`s3 cp`, `s3 sync` and `s3api put-object`.

The CLI pins its own botocore, which conflicts with boto3 1.44.5's, so it lives in a separate
environment: the tests run the `aws` named by CODEMOCK_AWS_CLI, else the one on PATH, and are
skipped (saying why) when there is none.
"""

import filecmp
import hashlib
import os

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

MB = 1024 * 1024


@pytest.fixture
def s3(endpoint):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def pattern(size, seed=1):
    """Deterministic bytes that differ block by block (a misplaced part would show)."""
    out = bytearray()
    block = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}-{block}".encode()).digest() * 64
        block += 1
    return bytes(out[:size])


def test_objects_round_trip_byte_for_byte(s3):
    s3.create_bucket(Bucket="py-bucket")
    body = pattern(300_000)
    put = s3.put_object(Bucket="py-bucket", Key="dir/a b+c.bin", Body=body, Metadata={"k": "v"}, ContentType="text/x-test")
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket="py-bucket", Key="dir/a b+c.bin")
    assert got["Body"].read() == body
    assert got["Metadata"] == {"k": "v"}
    assert got["ContentType"] == "text/x-test"
    ranged = s3.get_object(Bucket="py-bucket", Key="dir/a b+c.bin", Range="bytes=100-199")
    assert ranged["Body"].read() == body[100:200]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="py-bucket", Key="missing")
    assert e.value.response["Error"]["Code"] == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="no-such-bucket", Key="k")
    assert e.value.response["Error"]["Code"] == "NoSuchBucket"


def test_listing_encodes_keys_and_batch_deletes(s3):
    s3.create_bucket(Bucket="py-list")
    keys = ["a dir/one", "a dir/two", "plus+sign", "percent%25", "z"]
    for k in keys:
        s3.put_object(Bucket="py-list", Key=k, Body=b"x")
    listed = s3.list_objects_v2(Bucket="py-list")
    assert [o["Key"] for o in listed["Contents"]] == sorted(keys)
    rolled = s3.list_objects_v2(Bucket="py-list", Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["a dir/"]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="py-list", PaginationConfig={"PageSize": 2})
    assert [o["Key"] for page in pages for o in page.get("Contents", [])] == sorted(keys)
    deleted = s3.delete_objects(Bucket="py-list", Delete={"Objects": [{"Key": k} for k in keys]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == sorted(keys)
    assert s3.list_objects_v2(Bucket="py-list")["KeyCount"] == 0


def test_a_20_mb_transfer_manager_upload_is_multipart(s3, tmp_path):
    from boto3.s3.transfer import TransferConfig

    s3.create_bucket(Bucket="py-big")
    src = tmp_path / "big.bin"
    src.write_bytes(pattern(20 * MB + 7, seed=2))
    config = TransferConfig(multipart_threshold=8 * MB, multipart_chunksize=8 * MB)
    s3.upload_file(str(src), "py-big", "big.bin", Config=config)
    head = s3.head_object(Bucket="py-big", Key="big.bin")
    assert head["ContentLength"] == 20 * MB + 7
    assert head["ETag"].endswith('-3"')
    dst = tmp_path / "back.bin"
    s3.download_file("py-big", "big.bin", str(dst), Config=config)
    assert filecmp.cmp(src, dst, shallow=False)


def test_versions_and_delete_markers(s3):
    s3.create_bucket(Bucket="py-ver")
    s3.put_bucket_versioning(Bucket="py-ver", VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket="py-ver", Key="k", Body=body)["VersionId"] for body in (b"1", b"2")]
    marker = s3.delete_object(Bucket="py-ver", Key="k")
    assert marker["DeleteMarker"] is True
    for vid, body in zip(ids, (b"1", b"2")):
        assert s3.get_object(Bucket="py-ver", Key="k", VersionId=vid)["Body"].read() == body
    versions = s3.list_object_versions(Bucket="py-ver")
    assert len(versions["Versions"]) == 2
    assert versions["DeleteMarkers"][0]["VersionId"] == marker["VersionId"]


def test_cli_cp_sync_and_put_object(cli, s3, tmp_path):
    cli("s3", "mb", "s3://cli-bucket")
    small = tmp_path / "small.txt"
    small.write_bytes(b"hello from the cli\n")
    cli("s3", "cp", str(small), "s3://cli-bucket/small.txt")
    back = tmp_path / "small.back"
    cli("s3", "cp", "s3://cli-bucket/small.txt", str(back))
    assert back.read_bytes() == small.read_bytes()

    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_bytes(b"a")
    (tree / "sub" / "b.txt").write_bytes(pattern(70_000, seed=3))
    # `s3 sync` compares the files' mtimes with LastModified, which comes from the virtual
    # clock (2024-01-01 in manual mode): date the files before it, as real files predate uploads.
    for f in (tree / "a.txt", tree / "sub" / "b.txt"):
        os.utime(f, (1_600_000_000, 1_600_000_000))
    cli("s3", "sync", str(tree), "s3://cli-bucket/tree")
    listed = s3.list_objects_v2(Bucket="cli-bucket", Prefix="tree/")
    assert sorted(o["Key"] for o in listed["Contents"]) == ["tree/a.txt", "tree/sub/b.txt"]
    # A second sync finds nothing to do.
    assert cli("s3", "sync", str(tree), "s3://cli-bucket/tree").strip() == ""
    out = tmp_path / "out"
    cli("s3", "sync", "s3://cli-bucket/tree", str(out))
    assert (out / "sub" / "b.txt").read_bytes() == (tree / "sub" / "b.txt").read_bytes()

    cli("s3api", "put-object", "--bucket", "cli-bucket", "--key", "api.txt", "--body", str(small), "--content-type", "text/plain")
    head = s3.head_object(Bucket="cli-bucket", Key="api.txt")
    assert head["ContentType"] == "text/plain"
    assert head["ContentLength"] == small.stat().st_size


def test_cli_20_mb_copy_is_multipart(cli, s3, tmp_path):
    cli("s3", "mb", "s3://cli-big")
    big = tmp_path / "big.bin"
    big.write_bytes(pattern(20 * MB + 11, seed=4))
    cli("s3", "cp", str(big), "s3://cli-big/big.bin")
    head = s3.head_object(Bucket="cli-big", Key="big.bin")
    assert head["ContentLength"] == 20 * MB + 11
    assert "-" in head["ETag"], "the CLI switches to multipart above 8 MB"
    back = tmp_path / "big.back"
    cli("s3", "cp", "s3://cli-big/big.bin", str(back))
    assert filecmp.cmp(big, back, shallow=False)
