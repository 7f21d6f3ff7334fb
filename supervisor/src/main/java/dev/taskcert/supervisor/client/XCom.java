package dev.taskcert.supervisor.client;

/** One XCom value (JSON text) and exactly where it was found. */
public record XCom(XComLocation location, int mapIndex, String valueJson) {}
