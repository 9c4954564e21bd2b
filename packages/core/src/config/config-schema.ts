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
          "description": "Folders holding <id>/model_metadata.json, relative to the config file."
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
    "engines": {
      "type": "object",
      "description": "Per-engine settings keyed by engine id (read by the executor and router).",
      "additionalProperties": {
        "type": "object",
        "properties": {
          "enabled": {
            "type": "boolean"
          },
          "target": {
            "$ref": "#/definitions/target"
          },
          "options": {
            "type": "object"
          }
        }
      }
    },
    "policy": {
      "type": "object",
      "properties": {
        "rules": {
          "type": "array",
          "items": {
            "type": "object",
            "required": [
              "id",
              "action"
            ],
            "properties": {
              "id": {
                "type": "string",
                "minLength": 1
              },
              "when": {
                "type": "string"
              },
              "action": {
                "type": "string",
                "enum": [
                  "allow",
                  "deny",
                  "redact"
                ]
              }
            }
          }
        }
      }
    },
    "routing": {
      "type": "object",
      "properties": {
        "default": {
          "type": "string"
        },
        "fallbacks": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "rules": {
          "type": "array",
          "items": {
            "type": "object"
          }
        }
      }
    },
    "resilience": {
      "type": "object",
      "properties": {
        "timeoutMs": {
          "type": "number",
          "exclusiveMinimum": 0
        },
        "retry": {
          "type": "object"
        },
        "circuitBreaker": {
          "type": "object"
        },
        "bulkhead": {
          "type": "object"
        }
      }
    },
    "pipelines": {
      "type": "object",
      "properties": {
        "dirs": {
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          }
        },
        "definitions": {
          "type": "object",
          "additionalProperties": {
            "type": "object"
          }
        }
      }
    },
    "server": {
      "type": "object",
      "properties": {
        "host": {
          "type": "string",
          "minLength": 1
        },
        "port": {
          "type": "integer",
          "minimum": 0,
          "maximum": 65535
        },
        "apiKeys": {
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          }
        }
      }
    },
    "telemetry": {
      "type": "object",
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
      "properties": {
        "engine": {
          "type": "string",
          "minLength": 1
        },
        "target": {
          "$ref": "#/definitions/target"
        },
        "enabled": {
          "type": "boolean"
        },
        "options": {
          "type": "object"
        }
      }
    }
  }
};
