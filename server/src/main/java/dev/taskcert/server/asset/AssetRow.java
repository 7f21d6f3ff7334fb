package dev.taskcert.server.asset;

import java.util.List;

/**
 * One registered asset.
 *
 * @param team the owning team's name, or {@code null} for a global asset
 * @param sharedWithTeams other teams that may see the asset
 */
public record AssetRow(long id, String name, String uri, String assetGroup, String extra, String team,
    List<String> sharedWithTeams) {

  public AssetRow {
    sharedWithTeams = sharedWithTeams == null ? List.of() : List.copyOf(sharedWithTeams);
  }
}
