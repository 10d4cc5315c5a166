/** The two languages as <option>s, each named in its own language. */
export function LanguageOptions() {
  return (
    <>
      <option value="zh" lang="zh-CN">
        中文
      </option>
      <option value="en" lang="en">
        English
      </option>
    </>
  );
}
