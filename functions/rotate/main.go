// Command rotate is the AWS Lambda bootstrap of regmint's scheduled
// rotation function (built as "bootstrap" for provided.al2023 with -tags
// lambda.norpc). The function itself is internal/rotatefn; cmd/regmint-rotate
// is the same program under its installable name.
package main

import (
	"os"

	"github.com/regmint/regmint/internal/rotatefn"
)

func main() { os.Exit(rotatefn.Main()) }
