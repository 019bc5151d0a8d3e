package io.quiver.proxy.rest;

import com.google.gson.JsonElement;

/** One endpoint ({@code collections/create}, ...): builds the Milvus request from the call, returns the {@code data}. */
@FunctionalInterface
public interface RestRoute {
    JsonElement handle(RestCall call);
}
