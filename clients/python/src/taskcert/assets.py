"""Assets, asset events, the task and asset state stores and human-in-the-loop details.

Shaped like Airflow's Task SDK client: ``client.assets``, ``client.asset_events``,
``client.task_store``, ``client.asset_store`` and ``client.hitl``. As everywhere in this client,
no method names the caller's own dag, run or task: the server takes them from the certificate. An
asset another team owns (and does not share with the caller's) is answered exactly as an absent
one: :class:`taskcert.errors.NotFound`.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from taskcert import _time
from taskcert._calls import Caller, rpc
from taskcert.execution.v1 import (
    assets_pb2, assets_pb2_grpc, hitl_pb2, hitl_pb2_grpc, state_stores_pb2, state_stores_pb2_grpc)

ASSETS = "taskcert.execution.v1.Assets"
TASK_STORE = "taskcert.execution.v1.TaskStore"
ASSET_STORE = "taskcert.execution.v1.AssetStore"
HITL = "taskcert.execution.v1.HumanInTheLoop"


@dataclasses.dataclass(frozen=True)
class Asset:
    """An asset: unique name and URI, group, and ``extra`` decoded from JSON."""

    name: str
    uri: str
    group: str
    extra: Dict[str, Any]

    @staticmethod
    def from_proto(message: assets_pb2.Asset) -> "Asset":
        return Asset(name=message.name, uri=message.uri, group=message.group,
                     extra=json.loads(message.extra_json) if message.extra_json else {})


@dataclasses.dataclass(frozen=True)
class AssetEvent:
    """One event of an asset; the source fields are empty when no task produced it."""

    id: int
    timestamp: Optional[datetime.datetime]
    extra: Dict[str, Any]
    asset: Asset
    source_dag_id: str
    source_run_id: str
    source_task_id: str
    source_map_index: int

    @staticmethod
    def from_proto(message: assets_pb2.AssetEvent) -> "AssetEvent":
        return AssetEvent(
            id=message.id, timestamp=_time.to_datetime(message.timestamp),
            extra=json.loads(message.extra_json) if message.extra_json else {},
            asset=Asset.from_proto(message.asset), source_dag_id=message.source_dag_id,
            source_run_id=message.source_run_id, source_task_id=message.source_task_id,
            source_map_index=message.source_map_index)


@dataclasses.dataclass(frozen=True)
class AssetOutlet:
    """An event to record for an outlet when the try succeeds: the asset by name and/or URI, an
    ``extra`` JSON object, and optionally the asset alias it is recorded through."""

    name: str = ""
    uri: str = ""
    extra: Optional[Dict[str, Any]] = None
    alias: str = ""

    def to_proto(self) -> assets_pb2.AssetOutlet:
        return assets_pb2.AssetOutlet(
            asset=assets_pb2.AssetRef(name=self.name, uri=self.uri),
            extra_json=json.dumps(self.extra) if self.extra else "", alias=self.alias)


@dataclasses.dataclass(frozen=True)
class HITLDetail:
    """The question of a human-in-the-loop detail as stored."""

    options: Tuple[str, ...]
    subject: str
    body: Optional[str]
    defaults: Tuple[str, ...]
    multiple: bool
    params: Dict[str, Any]


@dataclasses.dataclass(frozen=True)
class HITLDetailResponse:
    """The answer part of a human-in-the-loop detail."""

    response_received: bool
    responded_by: Optional[str]
    responded_at: Optional[datetime.datetime]
    chosen_options: Tuple[str, ...]
    params_input: Dict[str, Any]

    @staticmethod
    def from_proto(message: hitl_pb2.HitlDetailAnswer) -> "HITLDetailResponse":
        return HITLDetailResponse(
            response_received=message.response_received, responded_by=message.responded_by or None,
            responded_at=_time.to_datetime(message.responded_at) if message.HasField("responded_at") else None,
            chosen_options=tuple(message.chosen_options),
            params_input=json.loads(message.params_input_json) if message.params_input_json else {})


def asset_ref(name: Optional[str] = None, uri: Optional[str] = None) -> assets_pb2.AssetRef:
    """An asset named by name, URI or both; ValueError when neither is given."""
    if not name and not uri:
        raise ValueError("name and uri cannot both be empty")
    return assets_pb2.AssetRef(name=name or "", uri=uri or "")


def outlets_to_proto(outlets: Optional[Iterable[AssetOutlet]]) -> List[assets_pb2.AssetOutlet]:
    return [outlet.to_proto() for outlet in outlets or ()]


class AssetOperations:
    """Assets the caller's team may see."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _call(self, method: str, request: Any) -> Any:
        return self._caller.call(assets_pb2_grpc.AssetsStub, method, request)

    def get(self, name: Optional[str] = None, uri: Optional[str] = None) -> Asset:
        """The asset with this name, or else this URI."""
        if name:
            return self._by_name(name)
        if uri:
            return self._by_uri(uri)
        raise ValueError("either name or uri must be given")

    @rpc(ASSETS, "GetAssetByName")
    def _by_name(self, name: str) -> Asset:
        return Asset.from_proto(self._call("GetAssetByName", assets_pb2.GetAssetByNameRequest(name=name)).asset)

    @rpc(ASSETS, "GetAssetByUri")
    def _by_uri(self, uri: str) -> Asset:
        return Asset.from_proto(self._call("GetAssetByUri", assets_pb2.GetAssetByUriRequest(uri=uri)).asset)


class AssetEventOperations:
    """Events of assets the caller's team may see, with Airflow's filters."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _call(self, method: str, request: Any) -> Any:
        return self._caller.call(assets_pb2_grpc.AssetsStub, method, request)

    def get(self, name: Optional[str] = None, uri: Optional[str] = None, alias_name: Optional[str] = None,
            after: Optional[datetime.datetime] = None, before: Optional[datetime.datetime] = None,
            ascending: bool = True, limit: Optional[int] = None) -> List[AssetEvent]:
        """Events of the asset named by name and/or URI, or recorded through alias ``alias_name``."""
        if alias_name:
            return self._by_alias(alias_name, after, before, ascending, limit)
        return self._by_asset(name, uri, after, before, ascending, limit)

    @rpc(ASSETS, "GetAssetEvents")
    def _by_asset(self, name: Optional[str], uri: Optional[str], after: Optional[datetime.datetime],
                  before: Optional[datetime.datetime], ascending: bool, limit: Optional[int]) -> List[AssetEvent]:
        request = assets_pb2.GetAssetEventsRequest(asset=asset_ref(name, uri), descending=not ascending, limit=limit or 0)
        _set_range(request, after, before)
        return [AssetEvent.from_proto(event) for event in self._call("GetAssetEvents", request).asset_events]

    @rpc(ASSETS, "GetAssetEventsByAlias")
    def _by_alias(self, alias_name: str, after: Optional[datetime.datetime], before: Optional[datetime.datetime],
                  ascending: bool, limit: Optional[int]) -> List[AssetEvent]:
        request = assets_pb2.GetAssetEventsByAliasRequest(alias_name=alias_name, descending=not ascending, limit=limit or 0)
        _set_range(request, after, before)
        return [AssetEvent.from_proto(event) for event in self._call("GetAssetEventsByAlias", request).asset_events]


def _set_range(request: Any, after: Optional[datetime.datetime], before: Optional[datetime.datetime]) -> None:
    if after is not None:
        request.after.CopyFrom(_time.to_timestamp(after))
    if before is not None:
        request.before.CopyFrom(_time.to_timestamp(before))


def validate_inlets_and_outlets(caller: Caller, inlets: Sequence[Tuple[str, str]],
                                outlets: Sequence[Tuple[str, str]]) -> List[Tuple[str, str]]:
    """The (name, uri) pairs of inlets and outlets that are not active assets the caller may use."""
    request = assets_pb2.ValidateInletsAndOutletsRequest(
        inlets=[asset_ref(name, uri) for name, uri in inlets], outlets=[asset_ref(name, uri) for name, uri in outlets])
    response = caller.call(assets_pb2_grpc.AssetsStub, "ValidateInletsAndOutlets", request)
    return [(ref.name, ref.uri) for ref in response.inactive_assets]


class TaskStoreOperations:
    """Key/value state of the caller's own task instance, kept across its tries."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _call(self, method: str, request: Any) -> Any:
        return self._caller.call(state_stores_pb2_grpc.TaskStoreStub, method, request)

    @rpc(TASK_STORE, "GetTaskStoreValue")
    def get(self, key: str) -> Any:
        """The value of ``key``, decoded from JSON; NotFound if absent or expired."""
        return json.loads(self._call("GetTaskStoreValue", state_stores_pb2.GetTaskStoreValueRequest(key=key)).value_json)

    @rpc(TASK_STORE, "SetTaskStoreValue")
    def set(self, key: str, value: Any, expires_at: Optional[datetime.datetime] = None) -> None:
        """Stores ``value`` (JSON-encodable, not None) under ``key``, optionally until ``expires_at``."""
        if value is None:
            raise ValueError("value cannot be None")
        request = state_stores_pb2.SetTaskStoreValueRequest(key=key, value_json=json.dumps(value))
        if expires_at is not None:
            request.expires_at.CopyFrom(_time.to_timestamp(expires_at))
        self._call("SetTaskStoreValue", request)

    @rpc(TASK_STORE, "DeleteTaskStoreValue")
    def delete(self, key: str) -> bool:
        """Deletes ``key``; whether it existed."""
        return self._call("DeleteTaskStoreValue", state_stores_pb2.DeleteTaskStoreValueRequest(key=key)).deleted

    @rpc(TASK_STORE, "ClearTaskStore")
    def clear(self, all_map_indices: bool = False) -> int:
        """Deletes every key (of every map index of the task in its run with ``all_map_indices``)."""
        return self._call("ClearTaskStore", state_stores_pb2.ClearTaskStoreRequest(all_map_indices=all_map_indices)).deleted


class AssetStoreOperations:
    """Key/value state of an asset the caller's team may see."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _call(self, method: str, request: Any) -> Any:
        return self._caller.call(state_stores_pb2_grpc.AssetStoreStub, method, request)

    @rpc(ASSET_STORE, "GetAssetStoreValue")
    def get(self, key: str, name: Optional[str] = None, uri: Optional[str] = None) -> Any:
        """The value of ``key`` in the store of the asset named by name and/or URI, decoded from JSON."""
        return json.loads(self._call("GetAssetStoreValue", state_stores_pb2.GetAssetStoreValueRequest(
            asset=asset_ref(name, uri), key=key)).value_json)

    @rpc(ASSET_STORE, "SetAssetStoreValue")
    def set(self, key: str, value: Any, name: Optional[str] = None, uri: Optional[str] = None) -> None:
        """Stores ``value`` (JSON-encodable, not None) under ``key`` in the asset's store."""
        if value is None:
            raise ValueError("value cannot be None")
        self._call("SetAssetStoreValue", state_stores_pb2.SetAssetStoreValueRequest(
            asset=asset_ref(name, uri), key=key, value_json=json.dumps(value)))

    @rpc(ASSET_STORE, "DeleteAssetStoreValue")
    def delete(self, key: str, name: Optional[str] = None, uri: Optional[str] = None) -> bool:
        """Deletes ``key`` from the asset's store; whether it existed."""
        return self._call("DeleteAssetStoreValue", state_stores_pb2.DeleteAssetStoreValueRequest(
            asset=asset_ref(name, uri), key=key)).deleted

    @rpc(ASSET_STORE, "ClearAssetStore")
    def clear(self, name: Optional[str] = None, uri: Optional[str] = None) -> int:
        """Deletes every key of the asset's store; how many there were."""
        return self._call("ClearAssetStore", state_stores_pb2.ClearAssetStoreRequest(asset=asset_ref(name, uri))).deleted


class HITLOperations:
    """The human-in-the-loop detail of the caller's own task instance."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _call(self, method: str, request: Any, idempotent: bool = True) -> Any:
        return self._caller.call(hitl_pb2_grpc.HumanInTheLoopStub, method, request, idempotent=idempotent)

    @rpc(HITL, "CreateHitlDetail")
    def add_response(self, options: Sequence[str], subject: str, body: Optional[str] = None,
                     defaults: Optional[Sequence[str]] = None, multiple: bool = False,
                     params: Optional[Dict[str, Any]] = None) -> HITLDetail:
        """Asks the question; if it was asked before, the stored one is kept (its answer removed) and returned."""
        response = self._call("CreateHitlDetail", hitl_pb2.CreateHitlDetailRequest(
            options=list(options), subject=subject, body=body or "", defaults=list(defaults or ()),
            multiple=multiple, params_json=json.dumps(params) if params else ""))
        return HITLDetail(options=tuple(response.options), subject=response.subject, body=response.body or None,
                          defaults=tuple(response.defaults), multiple=response.multiple,
                          params=json.loads(response.params_json) if response.params_json else {})

    @rpc(HITL, "UpdateHitlDetail")
    def update_response(self, chosen_options: Sequence[str],
                        params_input: Optional[Dict[str, Any]] = None) -> HITLDetailResponse:
        """Records the task's own answer; refused (FAILED_PRECONDITION, raised as TaskNotLive) if already answered."""
        return HITLDetailResponse.from_proto(self._call("UpdateHitlDetail", hitl_pb2.UpdateHitlDetailRequest(
            chosen_options=list(chosen_options), params_input_json=json.dumps(params_input) if params_input else ""),
            idempotent=False).answer)

    @rpc(HITL, "GetHitlDetail")
    def get_detail_response(self) -> HITLDetailResponse:
        """The answer part of the detail; NotFound if the question was never asked."""
        return HITLDetailResponse.from_proto(self._call("GetHitlDetail", hitl_pb2.GetHitlDetailRequest()).answer)
