// Generated from schemas/config.schema.json by packages/core/scripts/sync-config-schema.mjs; do not edit.
// config-schema.test.ts fails when the two differ.
export const CONFIG_SCHEMA: Record<string, unknown> = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://switchyard.dev/schemas/config.schema.json",
  "title": "Switchyard app config (switchyard.config.yaml | .yml | .json)",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "$schema": {
      "type": "string",
      "description": "Path or URL of this schema, for editors."
    },
    "version": {
      "type": "integer",
      "enum": [
        1
      ],
      "description": "Config format version."
    },
    "plugins": {
      "type": "array",
      "description": "Plugins to load, in any order (dependsOn decides the order). A package name, a path relative to the config file, or {package, options}.",
      "items": {
        "if": {
          "type": "string"
        },
        "then": {
          "$ref": "#/definitions/pluginSpecifier"
        },
        "else": {
          "$ref": "#/definitions/pluginEntry"
        }
      }
    },
    "models": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "dirs": {
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          },
          "description": "Folders holding <id>/model_metadata.json, or .xyb bundle files (xybrid format, one model each), relative to the config file."
        },
        "registry": {
          "type": "string",
          "minLength": 1,
          "description": "Module of the app's generated model registry (written by `npx switchyard codegen`), relative to the config file; its models run through their generated pipelines."
        },
        "packages": {
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          },
          "description": "Model packs: npm packages whose root holds model_metadata.json (e.g. @switchyard/model-paddleocr-v4), resolved from the config file's folder."
        },
        "cacheDir": {
          "type": "string",
          "minLength": 1,
          "description": "Where downloaded/extracted model files are kept."
        },
        "overrides": {
          "type": "object",
          "description": "Per-model settings keyed by model id.",
          "additionalProperties": {
            "$ref": "#/definitions/modelOverride"
          }
        }
      }
    },
    "codegen": {
      "type": "object",
      "additionalProperties": false,
      "description": "`switchyard codegen`: where the typed registry and pipelines of models.dirs and models.packages go.",
      "properties": {
        "out": {
          "type": "string",
          "minLength": 1,
          "description": "Output folder, relative to the config file (default src/switchyard.generated)."
        }
      }
    },
    "engines": {
      "type": "object",
      "description": "Per-engine switches keyed by engine id (an id a plugin registered). Engine options live in plugins[].options.",
      "additionalProperties": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "enabled": {
            "type": "boolean",
            "description": "false = the engine is not used by the app, the router or the server."
          }
        }
      }
    },
    "policy": {
      "type": "object",
      "additionalProperties": false,
      "description": "Policy rules evaluated in order before routing (docs/orchestration.md).",
      "properties": {
        "rules": {
          "type": "array",
          "items": {
            "type": "object",
            "required": [
              "id",
              "action",
              "when"
            ],
            "additionalProperties": false,
            "properties": {
              "id": {
                "type": "string",
                "minLength": 1
              },
              "when": {
                "type": "string",
                "minLength": 1,
                "description": "Expression over input.*, request.*, metrics.*"
              },
              "action": {
                "type": "string",
                "enum": [
                  "allow",
                  "deny",
                  "redact"
                ]
              },
              "reason": {
                "type": "string"
              },
              "redact": {
                "type": "array",
                "items": {
                  "enum": [
                    "email",
                    "phone",
                    "secret"
                  ]
                }
              }
            }
          }
        },
        "maxPromptLength": {
          "type": "integer",
          "minimum": 1
        },
        "blockedPatterns": {
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          }
        },
        "defaultAction": {
          "enum": [
            "allow",
            "deny"
          ]
        }
      }
    },
    "routing": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "defaultTarget": {
          "enum": [
            "local",
            "edge",
            "cloud"
          ]
        },
        "rttThresholdMs": {
          "type": "number",
          "minimum": 0
        },
        "batteryThreshold": {
          "type": "number",
          "minimum": 0,
          "maximum": 100
        },
        "loadStrategy": {
          "$ref": "#/definitions/loadStrategy"
        },
        "cacheSize": {
          "type": "integer",
          "minimum": 0
        },
        "routes": {
          "type": "object",
          "additionalProperties": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "targets": {
                "type": "array",
                "description": "Tried in the order written; only a group entry is load-balanced.",
                "items": {
                  "$ref": "#/definitions/chainEntry"
                }
              },
              "small": {
                "oneOf": [
                  {
                    "$ref": "#/definitions/groupMember"
                  },
                  {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                      "$ref": "#/definitions/groupMember"
                    }
                  }
                ]
              },
              "large": {
                "oneOf": [
                  {
                    "$ref": "#/definitions/groupMember"
                  },
                  {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                      "$ref": "#/definitions/groupMember"
                    }
                  }
                ]
              },
              "classifier": {
                "enum": [
                  "rules",
                  "llm",
                  "model"
                ]
              },
              "classifierModel": {
                "type": "string",
                "minLength": 1
              },
              "threshold": {
                "type": "number",
                "minimum": 0,
                "maximum": 1
              },
              "fallback": {
                "type": "array",
                "items": {
                  "$ref": "#/definitions/chainEntry"
                }
              }
            }
          }
        },
        "models": {
          "type": "object",
          "description": "Per model id: one group of equivalent deployments, load-balanced by loadStrategy (weighted when a member has a weight).",
          "additionalProperties": {
            "type": "array",
            "minItems": 1,
            "items": {
              "$ref": "#/definitions/groupMember"
            }
          }
        },
        "default": {
          "enum": [
            "local",
            "edge",
            "cloud"
          ],
          "description": "Alias of defaultTarget."
        },
        "fallbacks": {
          "type": "array",
          "description": "Appended to every chain: a target (local|edge|cloud) or engine:model.",
          "items": {
            "type": "string",
            "minLength": 1
          }
        }
      }
    },
    "resilience": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "retry": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "maxAttempts": {
              "type": "integer",
              "minimum": 1
            },
            "initialDelayMs": {
              "type": "number",
              "minimum": 0
            },
            "maxDelayMs": {
              "type": "number",
              "minimum": 0
            }
          }
        },
        "circuitBreaker": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "consecutiveFailures": {
              "type": "integer",
              "minimum": 1
            },
            "cooldownMs": {
              "type": "number",
              "minimum": 0
            }
          }
        },
        "bulkhead": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "maxConcurrent": {
              "type": "integer",
              "minimum": 1
            },
            "maxQueue": {
              "type": "integer",
              "minimum": 0
            }
          }
        },
        "timeoutMs": {
          "type": "number",
          "exclusiveMinimum": 0
        },
        "streamIdleTimeoutMs": {
          "type": "number",
          "exclusiveMinimum": 0
        },
        "engines": {
          "type": "object",
          "additionalProperties": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "retry": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "maxAttempts": {
                    "type": "integer",
                    "minimum": 1
                  },
                  "initialDelayMs": {
                    "type": "number",
                    "minimum": 0
                  },
                  "maxDelayMs": {
                    "type": "number",
                    "minimum": 0
                  }
                }
              },
              "circuitBreaker": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "consecutiveFailures": {
                    "type": "integer",
                    "minimum": 1
                  },
                  "cooldownMs": {
                    "type": "number",
                    "minimum": 0
                  }
                }
              },
              "bulkhead": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "maxConcurrent": {
                    "type": "integer",
                    "minimum": 1
                  },
                  "maxQueue": {
                    "type": "integer",
                    "minimum": 0
                  }
                }
              },
              "timeoutMs": {
                "type": "number",
                "exclusiveMinimum": 0
              },
              "streamIdleTimeoutMs": {
                "type": "number",
                "exclusiveMinimum": 0
              }
            }
          }
        }
      }
    },
    "server": {
      "type": "object",
      "description": "HTTP server (@switchyard/server, `switchyard serve`); see docs/server.md.",
      "additionalProperties": false,
      "properties": {
        "host": {
          "type": "string",
          "minLength": 1,
          "description": "Bind address (default 127.0.0.1)."
        },
        "port": {
          "type": "integer",
          "minimum": 0,
          "maximum": 65535,
          "description": "Port (default 8787; 0 = any free port)."
        },
        "apiKeys": {
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          },
          "description": "Shorthand for auth.apiKeys."
        },
        "bodyLimitBytes": {
          "type": "integer",
          "minimum": 1024,
          "description": "Largest request body; 413 above it (default 8 MiB)."
        },
        "dropParams": {
          "type": "boolean",
          "description": "Drop request fields the serving model cannot honour (listed in x-switchyard-dropped-params) instead of a 400 (default false; per request: drop_params)."
        },
        "auth": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "apiKeys": {
              "type": "array",
              "items": {
                "type": "string",
                "minLength": 1
              },
              "description": "Accepted keys (prefer ${env:NAME}); no keys = auth off."
            },
            "apiKeysEnv": {
              "type": "string",
              "minLength": 1,
              "description": "Env var holding comma-separated keys (default SWITCHYARD_API_KEYS)."
            },
            "openPaths": {
              "type": "array",
              "items": {
                "type": "string",
                "pattern": "^/"
              },
              "description": "Paths served without a key (default [/healthz])."
            },
            "adminApiKeys": {
              "type": "array",
              "items": {
                "type": "string",
                "minLength": 1
              },
              "description": "Keys with the admin scope: catalog, pool and artifact writes (prefer ${env:NAME}); also accepted everywhere a key is."
            },
            "adminApiKeysEnv": {
              "type": "string",
              "minLength": 1,
              "description": "Env var holding comma-separated admin keys (default SWITCHYARD_ADMIN_API_KEYS)."
            }
          }
        },
        "admission": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "interactiveCapacity": {
              "type": "integer",
              "minimum": 1
            },
            "batchCapacity": {
              "type": "integer",
              "minimum": 1
            },
            "policy": {
              "enum": [
                "reject",
                "drop-lru"
              ]
            },
            "concurrency": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "default": {
                  "type": "integer",
                  "minimum": 1
                },
                "engines": {
                  "type": "object",
                  "additionalProperties": {
                    "type": "integer",
                    "minimum": 1
                  }
                }
              }
            },
            "initialServiceMs": {
              "type": "integer",
              "minimum": 0,
              "description": "Service-time prior until an engine has been measured."
            }
          }
        },
        "sessions": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "ttlMs": {
              "type": "integer",
              "minimum": 1
            },
            "maxTurns": {
              "type": "integer",
              "minimum": 1
            },
            "tokenBudget": {
              "type": "integer",
              "minimum": 1
            }
          }
        },
        "taskRetentionMs": {
          "type": "integer",
          "minimum": 0,
          "description": "Alias of retention.maxAgeMs."
        },
        "taskRetentionMaxTasks": {
          "type": "integer",
          "minimum": 1,
          "description": "Alias of retention.maxTasks."
        },
        "taskRetentionMaxBytes": {
          "type": "integer",
          "minimum": 1024,
          "description": "Alias of retention.maxBytes."
        },
        "dataDir": {
          "description": "Directory for durable state (SQLite state.db + content-addressed blobs/), relative to the config file; false = in memory. Default .switchyard.",
          "oneOf": [
            {
              "type": "string",
              "minLength": 1
            },
            {
              "const": false
            }
          ]
        },
        "retention": {
          "type": "object",
          "additionalProperties": false,
          "description": "Finished tasks kept (with their SSE transcripts); the oldest finished go first when a limit is exceeded.",
          "properties": {
            "maxAgeMs": {
              "type": "integer",
              "minimum": 0
            },
            "maxTasks": {
              "type": "integer",
              "minimum": 0
            },
            "maxBytes": {
              "type": "integer",
              "minimum": 0
            }
          }
        },
        "artifacts": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "maxTotalBytes": {
              "type": "integer",
              "minimum": 1
            }
          }
        },
        "shutdownDeadlineMs": {
          "type": "integer",
          "minimum": 0
        },
        "connections": {
          "type": "object",
          "additionalProperties": false,
          "description": "Socket limits (docs/server.md#limits).",
          "properties": {
            "max": {
              "type": "integer",
              "minimum": 1,
              "description": "Open connections per server; more are refused (default 1024)."
            },
            "requestTimeoutMs": {
              "type": "integer",
              "minimum": 100,
              "maximum": 3600000,
              "description": "Time to receive a whole request, headers and body (default 30000)."
            },
            "headersTimeoutMs": {
              "type": "integer",
              "minimum": 100,
              "maximum": 3600000,
              "description": "Time to receive the request headers (default 10000)."
            },
            "keepAliveTimeoutMs": {
              "type": "integer",
              "minimum": 100,
              "maximum": 3600000,
              "description": "Idle keep-alive sockets are closed after this (default 5000)."
            }
          }
        },
        "models": {
          "type": "array",
          "description": "Extra ids listed by GET /v1/models (routes such as auto, or provider:model).",
          "items": {
            "type": "object",
            "required": [
              "id"
            ],
            "additionalProperties": false,
            "properties": {
              "id": {
                "type": "string",
                "minLength": 1
              },
              "ownedBy": {
                "type": "string",
                "minLength": 1
              }
            }
          }
        }
      }
    },
    "queue": {
      "type": "object",
      "description": "Distributed mode: admission on BullMQ queues in this Redis; tasks run by `switchyard worker` processes (needs @switchyard/queue-bullmq).",
      "required": [
        "redis"
      ],
      "additionalProperties": false,
      "properties": {
        "redis": {
          "type": "string",
          "pattern": "^redis://",
          "description": "redis://[user:password@]host:port[/db]"
        },
        "prefix": {
          "type": "string",
          "pattern": "^[A-Za-z0-9._-]{1,64}$",
          "description": "Key and queue prefix shared by the API nodes and workers of one deployment; default switchyard."
        },
        "heartbeatTtlMs": {
          "type": "integer",
          "minimum": 300,
          "description": "Worker capabilities expire this long after the last heartbeat; default 3000."
        },
        "lockDurationMs": {
          "type": "integer",
          "minimum": 500,
          "description": "A worker silent this long is taken as crashed and its jobs are requeued; default 4000."
        }
      }
    },
    "telemetry": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "logLevel": {
          "type": "string",
          "enum": [
            "fatal",
            "error",
            "warn",
            "info",
            "debug",
            "trace",
            "silent"
          ]
        },
        "logInputs": {
          "type": "boolean"
        },
        "prices": {
          "type": "object",
          "additionalProperties": {
            "type": "object",
            "description": "USD per million tokens (inputPer1k/outputPer1k were replaced by inputPerMillion/outputPerMillion).",
            "required": [
              "inputPerMillion",
              "outputPerMillion"
            ],
            "additionalProperties": false,
            "properties": {
              "inputPerMillion": {
                "type": "number",
                "minimum": 0
              },
              "outputPerMillion": {
                "type": "number",
                "minimum": 0
              },
              "cacheReadPerMillion": {
                "type": "number",
                "minimum": 0,
                "description": "Input tokens read from the prompt cache (default: inputPerMillion)."
              },
              "cacheWritePerMillion": {
                "type": "number",
                "minimum": 0,
                "description": "Input tokens written to the prompt cache (default: inputPerMillion)."
              }
            }
          }
        },
        "tracing": {
          "type": "object",
          "description": "OpenTelemetry traces: the app installs a tracer provider that exports Switchyard's spans (docs/observability.md).",
          "additionalProperties": false,
          "properties": {
            "enabled": {
              "type": "boolean",
              "description": "Default true when the section is present."
            },
            "exporter": {
              "type": "string",
              "enum": [
                "otlp",
                "console"
              ],
              "description": "otlp: OTLP/HTTP (JSON) to `endpoint`; console: spans printed to stdout. Default otlp."
            },
            "endpoint": {
              "type": "string",
              "pattern": "^https?://",
              "description": "OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces (default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then http://localhost:4318/v1/traces)."
            },
            "headers": {
              "type": "object",
              "additionalProperties": {
                "type": "string"
              },
              "description": "Extra HTTP headers for the OTLP exporter (e.g. an API key via ${env:...})."
            },
            "serviceName": {
              "type": "string",
              "minLength": 1,
              "description": "service.name resource attribute (default switchyard)."
            },
            "sampleRatio": {
              "type": "number",
              "minimum": 0,
              "maximum": 1,
              "description": "Share of new traces sampled (default 1); a client's traceparent decides for its own trace."
            }
          }
        }
      }
    }
  },
  "definitions": {
    "pluginSpecifier": {
      "type": "string",
      "description": "an npm package name (@scope/name[/subpath]) or a path starting with ./, ../ or /.",
      "pattern": "^(?:\\.{1,2}/\\S+|/\\S+|(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*(?:/[A-Za-z0-9._~/-]+)?)$"
    },
    "pluginEntry": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "package": {
          "$ref": "#/definitions/pluginSpecifier"
        },
        "name": {
          "$ref": "#/definitions/pluginSpecifier"
        },
        "options": {
          "type": "object",
          "description": "Checked against the plugin's own configSchema."
        },
        "enabled": {
          "type": "boolean"
        }
      }
    },
    "loadStrategy": {
      "enum": [
        "least-busy",
        "lowest-latency",
        "lowest-cost",
        "weighted",
        "ordered"
      ],
      "description": "How a group of equivalent deployments is ordered; chains are never reordered by load."
    },
    "deploymentRef": {
      "oneOf": [
        {
          "type": "string",
          "pattern": "^[^:]+:.+$",
          "description": "engine:model"
        },
        {
          "type": "object",
          "required": [
            "engine",
            "model"
          ],
          "additionalProperties": false,
          "properties": {
            "engine": {
              "type": "string",
              "minLength": 1
            },
            "model": {
              "type": "string",
              "minLength": 1
            },
            "target": {
              "enum": [
                "local",
                "edge",
                "cloud"
              ]
            }
          }
        }
      ]
    },
    "groupMember": {
      "oneOf": [
        {
          "type": "string",
          "pattern": "^[^:]+:.+$",
          "description": "engine:model"
        },
        {
          "type": "object",
          "required": [
            "engine",
            "model"
          ],
          "additionalProperties": false,
          "properties": {
            "engine": {
              "type": "string",
              "minLength": 1
            },
            "model": {
              "type": "string",
              "minLength": 1
            },
            "target": {
              "enum": [
                "local",
                "edge",
                "cloud"
              ]
            },
            "weight": {
              "type": "number",
              "exclusiveMinimum": 0,
              "description": "Share of first picks under the weighted strategy (default 1)."
            }
          }
        }
      ]
    },
    "chainEntry": {
      "oneOf": [
        {
          "$ref": "#/definitions/deploymentRef"
        },
        {
          "type": "object",
          "required": [
            "group"
          ],
          "additionalProperties": false,
          "description": "A group of equivalent deployments, balanced in this step of the chain.",
          "properties": {
            "group": {
              "type": "array",
              "minItems": 1,
              "items": {
                "$ref": "#/definitions/groupMember"
              }
            },
            "loadStrategy": {
              "$ref": "#/definitions/loadStrategy"
            }
          }
        }
      ]
    },
    "target": {
      "type": "string",
      "enum": [
        "local",
        "edge",
        "cloud"
      ]
    },
    "modelOverride": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "engine": {
          "type": "string",
          "minLength": 1,
          "description": "Engine that serves this model (default: the model folder's engine)."
        },
        "options": {
          "type": "object",
          "description": "Engine-specific load options, passed to the engine's doLoad as the model's options."
        }
      }
    }
  }
};
