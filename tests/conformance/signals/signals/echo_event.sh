#!/bin/sh
# Reads the hook event on stdin and prints it back: proves the event reaches signals only
# through stdin, as JSON.
cat
