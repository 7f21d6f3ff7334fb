package dev.taskcert.supervisor.client;

import java.util.List;

/** How many values a task stored under one key, and at which map indexes. */
public record XComCount(int count, List<Integer> mapIndexes) {
  public XComCount {
    mapIndexes = List.copyOf(mapIndexes);
  }
}
