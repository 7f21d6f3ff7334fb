package dev.taskcert.server.statestore;

import java.time.Instant;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL for the task and asset state stores. */
public interface StoreMapper {

  /** The value of {@code key} in task instance {@code taskInstanceId}'s store, unless absent or expired at {@code now}. */
  @Select("""
      select value::text from task_store
      where task_instance_id = #{ti} and key = #{key} and (expires_at is null or expires_at > #{now})""")
  String taskValue(@Param("ti") long taskInstanceId, @Param("key") String key, @Param("now") Instant now);

  @Insert("""
      insert into task_store (task_instance_id, key, value, expires_at)
      values (#{ti}, #{key}, cast(#{value} as jsonb), #{expiresAt})
      on conflict (task_instance_id, key) do update set
        value = excluded.value, expires_at = excluded.expires_at, updated_at = now()""")
  int setTaskValue(@Param("ti") long taskInstanceId, @Param("key") String key, @Param("value") String value,
      @Param("expiresAt") Instant expiresAt);

  @Delete("delete from task_store where task_instance_id = #{ti} and key = #{key}")
  int deleteTaskValue(@Param("ti") long taskInstanceId, @Param("key") String key);

  @Delete("delete from task_store where task_instance_id = #{ti}")
  int clearTask(@Param("ti") long taskInstanceId);

  /** Clears the stores of every map index of task instance {@code taskInstanceId}'s task in its run. */
  @Delete("""
      delete from task_store where task_instance_id in (
        select sibling.id from task_instance sibling join task_instance own
          on own.dag_run_id = sibling.dag_run_id and own.task_id = sibling.task_id
        where own.id = #{ti})""")
  int clearTaskAllMapIndices(@Param("ti") long taskInstanceId);

  @Select("select value::text from asset_store where asset_id = #{asset} and key = #{key}")
  String assetValue(@Param("asset") long assetId, @Param("key") String key);

  @Insert("""
      insert into asset_store (asset_id, key, value) values (#{asset}, #{key}, cast(#{value} as jsonb))
      on conflict (asset_id, key) do update set value = excluded.value, updated_at = now()""")
  int setAssetValue(@Param("asset") long assetId, @Param("key") String key, @Param("value") String value);

  @Delete("delete from asset_store where asset_id = #{asset} and key = #{key}")
  int deleteAssetValue(@Param("asset") long assetId, @Param("key") String key);

  @Delete("delete from asset_store where asset_id = #{asset}")
  int clearAsset(@Param("asset") long assetId);
}
