package dev.taskcert.supervisor.client;

/** An asset as a task sees it; {@code extraJson} is a JSON object. */
public record Asset(String name, String uri, String group, String extraJson) {}
