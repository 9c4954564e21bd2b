// Copy of schemas/pipeline.schema.json (pipeline-schema.test.ts fails when the two differ).
export const PIPELINE_SCHEMA: Record<string, unknown> = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://switchyard.dev/schemas/pipeline.schema.json",
  "title": "Switchyard pipeline (YAML or JSON)",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "name",
    "stages"
  ],
  "properties": {
    "$schema": {
      "type": "string"
    },
    "name": {
      "type": "string",
      "minLength": 1
    },
    "description": {
      "type": "string"
    },
    "maxParallelism": {
      "type": "integer",
      "minimum": 1,
      "description": "Independent stages run concurrently up to this many (default 4)."
    },
    "inputs": {
      "type": "object",
      "description": "Named pipeline inputs and their kind; `switchyard run --pipeline` reads files for image/audio inputs.",
      "additionalProperties": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "kind"
        ],
        "properties": {
          "kind": {
            "enum": [
              "text",
              "image",
              "audio",
              "json"
            ]
          },
          "description": {
            "type": "string"
          },
          "default": {}
        }
      }
    },
    "output": {
      "type": "string",
      "description": "Id of the stage whose output is the pipeline's result (default: the last stage that ran)."
    },
    "stages": {
      "type": "array",
      "minItems": 1,
      "items": {
        "$ref": "#/definitions/stage"
      }
    }
  },
  "definitions": {
    "stage": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "id"
      ],
      "oneOf": [
        {
          "required": [
            "model"
          ]
        },
        {
          "required": [
            "route"
          ]
        }
      ],
      "properties": {
        "id": {
          "type": "string",
          "pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"
        },
        "description": {
          "type": "string"
        },
        "model": {
          "type": "string",
          "minLength": 1,
          "description": "Registry model id or `engine:model`."
        },
        "route": {
          "type": "string",
          "minLength": 1,
          "description": "A configured route name (routing.routes)."
        },
        "target": {
          "enum": [
            "device",
            "local",
            "edge",
            "server",
            "cloud",
            "auto"
          ]
        },
        "workload": {
          "enum": [
            "completion",
            "embedding",
            "inference",
            "transcription",
            "stream"
          ]
        },
        "prompt": {
          "type": "string",
          "description": "Handlebars template over inputs.* and stages.<id>.text/value."
        },
        "system": {
          "type": "string",
          "description": "Handlebars template for the system message."
        },
        "input": {
          "type": "string",
          "description": "Path of the value to pass as input: `inputs.<name>` or `stages.<id>.value`."
        },
        "when": {
          "type": "string",
          "description": "Expression over inputs.* and stages.*; false skips the stage and its dependents."
        },
        "needs": {
          "type": "array",
          "items": {
            "type": "string"
          },
          "uniqueItems": true,
          "description": "Stages this one waits for (default: the previous stage)."
        },
        "optional": {
          "type": "boolean",
          "description": "A failure is recorded and dependents are skipped, instead of failing the pipeline."
        },
        "timeoutMs": {
          "type": "number",
          "exclusiveMinimum": 0
        },
        "retry": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "maxAttempts": {
              "type": "integer",
              "minimum": 1
            }
          }
        },
        "fallback": {
          "type": "array",
          "items": {
            "type": "string",
            "pattern": "^[^:]+:.+$"
          },
          "description": "`engine:model` targets tried after the routed chain."
        },
        "parameters": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "maxTokens": {
              "type": "integer",
              "minimum": 1
            },
            "temperature": {
              "type": "number",
              "minimum": 0
            },
            "topP": {
              "type": "number",
              "minimum": 0,
              "maximum": 1
            },
            "stop": {
              "type": "array",
              "items": {
                "type": "string"
              }
            }
          }
        },
        "tags": {
          "type": "array",
          "items": {
            "type": "string"
          }
        }
      }
    }
  }
};
