package io.quiver.proxy.rest;

import com.google.gson.JsonObject;

/** The HTTP status and JSON body of one answer (Milvus answers most errors with 200 and a code in the body). */
public record RestResponse(int httpStatus, JsonObject body) {}
