#!/bin/sh
echo tiny "$@"
