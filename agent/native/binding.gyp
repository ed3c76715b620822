{
  "targets": [
    {
      "target_name": "loader",
      "sources": ["loader.cc", "map-file.cc"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "libraries": ["-lbpf", "-lelf", "-lz"],
      "cflags_cc": ["-std=c++17", "-Wall"]
    }
  ]
}
