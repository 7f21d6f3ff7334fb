package dev.taskcert.server.asset;

import java.time.Instant;

/** One asset event with its asset. */
public record AssetEventRow(long id, Instant timestamp, String extra, String assetName, String assetUri,
    String assetGroup, String assetExtra, String sourceDagId, String sourceRunId, String sourceTaskId,
    int sourceMapIndex) {}
